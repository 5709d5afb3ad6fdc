using Microsoft.Extensions.Logging;

namespace IronCage.Testing;

/// <summary>
/// A logger provider for test hosts that captures every log line (category, message, structured values, exception,
/// scopes) into a <see cref="SecretLeakRegistry"/>, so the run's final check can search them for every key it created.
/// </summary>
public sealed class SecretLeakLoggerProvider : ILoggerProvider
{
    private readonly SecretLeakRegistry _registry;

    /// <summary>Creates a provider that captures into <paramref name="registry"/> (<see cref="SecretLeakRegistry.Shared"/> when <see langword="null"/>).</summary>
    /// <param name="registry">The registry.</param>
    public SecretLeakLoggerProvider(SecretLeakRegistry? registry = null) => _registry = registry ?? SecretLeakRegistry.Shared;

    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Logger(_registry, categoryName);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Logger(SecretLeakRegistry registry, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            registry.Capture($"scope {category}: {Describe(state)}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => registry.Capture($"{logLevel} {category}[{eventId.Id}]: {formatter(state, exception)} | {Describe(state)} | {exception}");

        private static string Describe(object? state)
            => state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : state?.ToString() ?? string.Empty;
    }
}
