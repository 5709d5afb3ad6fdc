using Microsoft.Extensions.Logging;

namespace IronCage.Providers.Mistral;

/// <summary>IronCage.Providers.Mistral's log messages (event ids 4800–4899). Key ids and hints only, never values.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4800, Level = LogLevel.Information, Message = "Created Mistral key {ProviderKeyId} ({Hint}) for {Key} through connection {Connection}.")]
    public static partial void KeyCreated(ILogger logger, string providerKeyId, string hint, KeyReference key, string connection);
}
