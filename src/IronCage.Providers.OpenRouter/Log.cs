using Microsoft.Extensions.Logging;

namespace IronCage.Providers.OpenRouter;

/// <summary>IronCage.Providers.OpenRouter's log messages (event ids 4200–4299). Key hashes and labels only, never values.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4200, Level = LogLevel.Information, Message = "Created OpenRouter key {ProviderKeyId} ({Hint}) for {Key} through connection {Connection}.")]
    public static partial void KeyCreated(ILogger logger, string providerKeyId, string hint, KeyReference key, string connection);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "Disabled OpenRouter key {ProviderKeyId} of {Key} through connection {Connection}.")]
    public static partial void KeyDisabled(ILogger logger, string providerKeyId, KeyReference key, string connection);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "Deleted OpenRouter key {ProviderKeyId} of {Key} through connection {Connection}.")]
    public static partial void KeyDeleted(ILogger logger, string providerKeyId, KeyReference key, string connection);
}
