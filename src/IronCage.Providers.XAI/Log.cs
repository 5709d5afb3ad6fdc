using Microsoft.Extensions.Logging;

namespace IronCage.Providers.XAI;

/// <summary>IronCage.Providers.XAI's log messages (event ids 4600–4699). Key ids and hints only, never values.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4600, Level = LogLevel.Information, Message = "Created xAI key {ProviderKeyId} ({Hint}) for {Key} in team {TeamId} through connection {Connection}.")]
    public static partial void KeyCreated(ILogger logger, string providerKeyId, string hint, KeyReference key, string teamId, string connection);

    [LoggerMessage(EventId = 4601, Level = LogLevel.Information, Message = "Deleted xAI key {ProviderKeyId} of {Key} through connection {Connection}.")]
    public static partial void KeyDeleted(ILogger logger, string providerKeyId, KeyReference key, string connection);
}
