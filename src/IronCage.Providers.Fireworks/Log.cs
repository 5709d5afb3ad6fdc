using Microsoft.Extensions.Logging;

namespace IronCage.Providers.Fireworks;

/// <summary>IronCage.Providers.Fireworks's log messages (event ids 4700–4799). Key ids and hints only, never values.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4700, Level = LogLevel.Information, Message = "Created Fireworks key {ProviderKeyId} ({Hint}, expires {ExpiresAt}) for {Key} through connection {Connection}.")]
    public static partial void KeyCreated(ILogger logger, string providerKeyId, string hint, string expiresAt, KeyReference key, string connection);

    [LoggerMessage(EventId = 4701, Level = LogLevel.Information, Message = "Deleted Fireworks key {ProviderKeyId} of {Key} through connection {Connection}.")]
    public static partial void KeyDeleted(ILogger logger, string providerKeyId, KeyReference key, string connection);

    [LoggerMessage(EventId = 4702, Level = LogLevel.Debug, Message = "Fireworks key {ProviderKeyId} of {Key} was already gone (404) at connection {Connection}.")]
    public static partial void KeyAlreadyGone(ILogger logger, string providerKeyId, KeyReference key, string connection);
}
