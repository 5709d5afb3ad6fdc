using System.Collections.Concurrent;
using IronCage.Testing;
using Microsoft.Extensions.Logging;

namespace IronCage.Core.Tests.Support;

/// <summary>Records every log line, at every level, with its exception and the text of each active scope.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<RecordedLog> _entries = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<RecordedLog> Entries => [.. _entries];

    /// <summary>Gets every recorded text (category, message, exception, scopes), for leak searches.</summary>
    public IEnumerable<string> AllText => Entries.SelectMany(e => e.Texts);

    public ILogger CreateLogger(string categoryName) => new RecordingLogger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class RecordingLogger(RecordingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<string>();
            owner._scopes.ForEachScope(static (scope, list) => list.Add(Describe(scope)), scopes);
            var entry = new RecordedLog(category, logLevel, eventId, formatter(state, exception), Describe(state), exception?.ToString(), scopes);
            owner._entries.Enqueue(entry);
            SecretLeakRegistry.Shared.Capture(string.Join(" | ", entry.Texts));
        }

        private static string Describe(object? state)
        {
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                return (state.ToString() ?? string.Empty) + " | " + string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}"));
            }

            return state?.ToString() ?? string.Empty;
        }
    }
}

internal sealed record RecordedLog(string Category, LogLevel Level, EventId EventId, string Message, string State, string? Exception, IReadOnlyList<string> Scopes)
{
    public IEnumerable<string> Texts
    {
        get
        {
            yield return Category;
            yield return Message;
            yield return State;
            if (Exception is not null)
            {
                yield return Exception;
            }

            foreach (var scope in Scopes)
            {
                yield return scope;
            }
        }
    }
}
