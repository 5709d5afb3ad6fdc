using Microsoft.Extensions.Logging;

namespace IronCage.Providers.Anthropic;

/// <summary>IronCage.Providers.Anthropic's log messages (event ids 4100–4199). Key ids and hints only, never values.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Set Anthropic key {ProviderKeyId} of {Key} to status {Status} through connection {Connection}.")]
    public static partial void StatusChanged(ILogger logger, string providerKeyId, KeyReference key, string status, string connection);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Debug, Message = "Anthropic key {ProviderKeyId} of {Key} is already {Status}; nothing to deactivate.")]
    public static partial void AlreadyRetired(ILogger logger, string providerKeyId, KeyReference key, ProviderKeyStatus status);
}
