using System.Collections.Concurrent;
using Amazon.Runtime;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IronCage.Encryption.AwsKms.Tests;

/// <summary>Options and providers pointed at a <see cref="KmsEmulator"/>, and a log recorder to search for key material.</summary>
internal static class KmsTestSupport
{
    public static AwsKmsOptions Options(KmsEmulator kms, string keyId) => new()
    {
        KeyId = keyId,
        Region = kms.Region,
        ServiceUrl = kms.BaseAddress,
        Credentials = new BasicAWSCredentials(kms.AccessKeyId, kms.SecretAccessKey),
    };

    public static AwsKmsKeyEncryptionKeyProvider Provider(AwsKmsOptions options, RecordingLogs? logs = null)
        => new(Microsoft.Extensions.Options.Options.Create(options), logs?.CreateLogger<AwsKmsKeyEncryptionKeyProvider>());
}

/// <summary>Records every log line with its structured values and exception.</summary>
internal sealed class RecordingLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public ILogger<T> CreateLogger<T>() => new LoggerFactory([this]).CreateLogger<T>();

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
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            owner._lines.Enqueue($"{logLevel} {category} [{eventId.Id}]: {formatter(state, exception)} | {values} | {exception}");
        }
    }
}
