using Microsoft.Extensions.Logging;

namespace IronCage.Cli.Output;

/// <summary>Writes IronCage's warnings and errors to standard error, one line each (IronCage logs never carry a secret).</summary>
internal sealed class StandardErrorLoggerProvider : ILoggerProvider
{
    private readonly TextWriter _error;

    public StandardErrorLoggerProvider(TextWriter error) => _error = error;

    public ILogger CreateLogger(string categoryName) => new Logger(_error);

    public void Dispose()
    {
    }

    private sealed class Logger(TextWriter error) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var level = logLevel >= LogLevel.Error ? "error" : "warning";
            lock (error)
            {
                error.WriteLine($"{level}: {formatter(state, exception)}");
            }
        }
    }
}
