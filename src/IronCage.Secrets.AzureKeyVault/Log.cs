using Microsoft.Extensions.Logging;

namespace IronCage.Secrets.AzureKeyVault;

/// <summary>IronCage.Secrets.AzureKeyVault's log messages (event ids 7300–7319). Secret names, versions and hints only, never values.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7300, Level = LogLevel.Information, Message = "Wrote {Key} version {KeyVersion} ({DisplayHint}) to Key Vault secret {Secret} as version {SecretVersion}.")]
    public static partial void Written(ILogger logger, string key, string keyVersion, string displayHint, string secret, string secretVersion);

    [LoggerMessage(EventId = 7301, Level = LogLevel.Debug, Message = "Key Vault secret {Secret} already holds {Key} version {KeyVersion} (secret version {SecretVersion}); nothing written.")]
    public static partial void AlreadyCurrent(ILogger logger, string secret, string key, string keyVersion, string secretVersion);

    [LoggerMessage(EventId = 7302, Level = LogLevel.Information, Message = "Restored {Key} version {KeyVersion} to Key Vault secret {Secret} as version {SecretVersion}.")]
    public static partial void Restored(ILogger logger, string key, string keyVersion, string secret, string secretVersion);

    [LoggerMessage(EventId = 7303, Level = LogLevel.Debug, Message = "Read Key Vault secret {Secret} for import.")]
    public static partial void SourceRead(ILogger logger, string secret);
}
