using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IronCage.Core.Tests.DependencyInjection;

public sealed class LoggingTests
{
    [Fact]
    public void InMemoryStores_WarnThatTheyDoNotPersist()
    {
        var sink = new CapturingLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(sink));
        services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey());

        using var provider = services.BuildServiceProvider();
        _ = provider.GetRequiredService<IKeyStore>();
        _ = provider.GetRequiredService<IAuditLog>();

        sink.Messages.Should().Contain(m => m.Contains("in-memory key store", StringComparison.Ordinal) && m.Contains("PersistKeysToSqlite", StringComparison.Ordinal));
        sink.Messages.Should().Contain(m => m.Contains("in-memory audit log", StringComparison.Ordinal));
    }
}

/// <summary>Records every formatted log message (and its exception) so tests can search a whole flow's logs.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _messages = new();

    public IReadOnlyList<string> Messages => [.. _messages];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            owner._messages.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            owner._messages.Enqueue($"{logLevel} {category}[{eventId.Id}]: {formatter(state, exception)} {structured} {exception}");
        }
    }
}
