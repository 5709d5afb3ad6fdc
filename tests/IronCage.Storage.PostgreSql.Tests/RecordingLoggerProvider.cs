using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace IronCage.Storage.PostgreSql.Tests;

/// <summary>Records every log line (category, event id, level, message, exception) for assertions and leak searches.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, EventId EventId, LogLevel Level, string Text)> _entries = new();

    public IReadOnlyList<(string Category, EventId EventId, LogLevel Level, string Text)> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(RecordingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => owner._entries.Enqueue((category, eventId, logLevel, formatter(state, exception) + " " + exception));
    }
}
