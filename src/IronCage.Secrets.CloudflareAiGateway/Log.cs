using Microsoft.Extensions.Logging;

namespace IronCage.Secrets.CloudflareAiGateway;

/// <summary>IronCage.Secrets.CloudflareAiGateway's log messages (event ids 7380–7399). Secret names, ids and hints only, never values or tokens.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7380, Level = LogLevel.Information, Message = "Wrote {Key} version {KeyVersion} ({DisplayHint}) to Cloudflare Secrets Store secret {Secret} ({SecretId}, {Action}).")]
    public static partial void Written(ILogger logger, string key, string keyVersion, string displayHint, string secret, string secretId, string action);

    [LoggerMessage(EventId = 7381, Level = LogLevel.Debug, Message = "Cloudflare Secrets Store secret {Secret} already holds {Key} version {KeyVersion}; nothing written.")]
    public static partial void AlreadyCurrent(ILogger logger, string secret, string key, string keyVersion);
}
