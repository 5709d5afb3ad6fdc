using Microsoft.Extensions.Logging;

namespace IronCage.Providers.OpenAI;

/// <summary>IronCage.Providers.OpenAI's log messages (event ids 4000–4099). Key ids and hints only, never values.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Created OpenAI {Kind} key {ProviderKeyId} ({Hint}) for {Key} through connection {Connection}.")]
    public static partial void KeyCreated(ILogger logger, KeyKind kind, string providerKeyId, string hint, KeyReference key, string connection);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Deleted OpenAI {Kind} key {ProviderKeyId} of {Key} through connection {Connection}.")]
    public static partial void KeyDeleted(ILogger logger, KeyKind kind, string providerKeyId, KeyReference key, string connection);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "OpenAI project key {ProviderKeyId} of {Key} belongs to service account {ServiceAccountId}: deleted the service account to revoke it.")]
    public static partial void ServiceAccountDeleted(ILogger logger, string providerKeyId, KeyReference key, string serviceAccountId);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "The admin key expiry asked for {Key} is beyond OpenAI's maximum of 365 days; the key will expire after {Seconds} seconds instead.")]
    public static partial void ExpiryShortened(ILogger logger, KeyReference key, long seconds);
}
