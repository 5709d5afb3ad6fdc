using Microsoft.Extensions.Logging;

namespace IronCage.Secrets.Cloud.Tests;

/// <summary>A logger factory that captures every line into its own <see cref="SecretLeakRegistry"/>, so a test can assert no secret reached a log.</summary>
internal sealed class LeakCheck : IDisposable
{
    private readonly ILoggerFactory _factory;

    public LeakCheck()
    {
        _factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new SecretLeakLoggerProvider(Registry)));
    }

    public SecretLeakRegistry Registry { get; } = new();

    public ILogger<T> Logger<T>() => _factory.CreateLogger<T>();

    public void Secret(string value) => Registry.RecordSecret(value);

    public void Capture(object? value) => Registry.Capture(value?.ToString() ?? string.Empty);

    public void Dispose() => _factory.Dispose();
}
