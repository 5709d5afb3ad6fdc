using Microsoft.Extensions.Logging;

namespace IronCage.Providers.Perplexity;

/// <summary>IronCage.Providers.Perplexity's log messages (event ids 4900–4999). Token names and hints only, never values.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4900, Level = LogLevel.Information, Message = "Created Perplexity key {TokenName} ({Hint}) for {Key} through connection {Connection}.")]
    public static partial void KeyCreated(ILogger logger, string tokenName, string hint, KeyReference key, string connection);

    [LoggerMessage(EventId = 4901, Level = LogLevel.Information, Message = "Revoked Perplexity key {TokenName} ({Hint}) of {Key} through connection {Connection}.")]
    public static partial void KeyRevoked(ILogger logger, string tokenName, string hint, KeyReference key, string connection);
}
