using System.Collections.Concurrent;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Rotation;
using IronCage.Storage;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Providers.Tests;

/// <summary>
/// IronCage with one cloud provider adapter whose HTTP (management calls and verify calls) goes to scripted handlers,
/// a fake clock, the rotation engine, and a logger that records every line so tests can search them for secrets.
/// Shared source of the cloud provider test projects.
/// </summary>
internal sealed class CloudProviderTestHost : IDisposable
{
    private readonly ServiceProvider _services;

    public CloudProviderTestHost(Action<IIronCageBuilder> addProvider, string providerClientName, HttpMessageHandler providerHandler, HttpMessageHandler? verifyHandler = null, Action<IServiceCollection>? hostServices = null)
    {
        var services = new ServiceCollection();

        // What the host itself registers before IronCage (for example ConfigureHttpClientDefaults).
        hostServices?.Invoke(services);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        services.AddSingleton<IClock>(Clock);
        var builder = services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey());
        addProvider(builder);
        builder.AddRotation(o =>
        {
            o.RetryDelay = TimeSpan.Zero;
            o.MaxRetryDelay = TimeSpan.Zero;
        });
        services.AddHttpClient(providerClientName).ConfigurePrimaryHttpMessageHandler(() => providerHandler);
        services.AddHttpClient(IronCageConstants.VerifyHttpClientName).ConfigurePrimaryHttpMessageHandler(() => verifyHandler ?? providerHandler);
        _services = services.BuildServiceProvider();
    }

    public FakeClock Clock { get; } = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);

    public RecordingLogs Logs { get; } = new();

    public IProviderAdapter Adapter => _services.GetServices<IProviderAdapter>().Single();

    public IKeyRotator Rotator => _services.GetRequiredService<IKeyRotator>();

    public IKeyStore Keys => _services.GetRequiredService<IKeyStore>();

    public IAuditLog Audit => _services.GetRequiredService<IAuditLog>();

    public ISecretProtector Protector => _services.GetRequiredService<ISecretProtector>();

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    public async Task<SecretValue> OpenAsync(KeyVersion version, KeyReference key) => await Protector.OpenAsync(version.Secret, new SecretBinding(key, version.VersionId));

    /// <summary>Asserts that no log line, and no text of the given exceptions, contains any of the secrets.</summary>
    public void ShouldNotLeak(IEnumerable<string> secrets, params Exception?[] exceptions)
    {
        var texts = Logs.Lines.Concat(exceptions.Where(e => e is not null).Select(e => e!.ToString())).ToList();
        texts.Should().NotBeEmpty("the flow logs what it does");
        foreach (var secret in secrets)
        {
            texts.Where(t => t.Contains(secret, StringComparison.Ordinal)).Should().BeEmpty("no secret may reach a log or an exception");
        }
    }

    public void Dispose() => _services.Dispose();

    internal sealed class RecordingLogs : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyList<string> Lines => [.. _lines];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(RecordingLogs owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var line = $"{logLevel} {category}[{eventId.Id}]: {formatter(state, exception)} {exception}";
                owner._lines.Enqueue(line);
                SecretLeakRegistry.Shared.Capture(line);
            }
        }
    }
}
