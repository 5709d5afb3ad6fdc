using Microsoft.Extensions.Logging;

namespace IronCage.Secrets.AwsSecretsManager;

/// <summary>IronCage.Secrets.AwsSecretsManager's log messages (event ids 7320–7339). Secret names, version ids and hints only, never values.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7320, Level = LogLevel.Information, Message = "Wrote {Key} version {KeyVersion} ({DisplayHint}) to Secrets Manager secret {Secret} as version {SecretVersion} (AWSCURRENT).")]
    public static partial void Written(ILogger logger, string key, string keyVersion, string displayHint, string secret, string secretVersion);

    [LoggerMessage(EventId = 7321, Level = LogLevel.Debug, Message = "Secrets Manager secret {Secret} already holds {Key} version {KeyVersion} (secret version {SecretVersion}); nothing written.")]
    public static partial void AlreadyCurrent(ILogger logger, string secret, string key, string keyVersion, string secretVersion);

    [LoggerMessage(EventId = 7322, Level = LogLevel.Information, Message = "Restored {Key} version {KeyVersion} to Secrets Manager secret {Secret} as version {SecretVersion}.")]
    public static partial void Restored(ILogger logger, string key, string keyVersion, string secret, string secretVersion);

    [LoggerMessage(EventId = 7323, Level = LogLevel.Debug, Message = "Read Secrets Manager secret {Secret} for import: {Count} candidate(s).")]
    public static partial void SourceRead(ILogger logger, string secret, int count);
}
