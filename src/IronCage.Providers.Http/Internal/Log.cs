using Microsoft.Extensions.Logging;

namespace IronCage.Providers.Http.Internal;

/// <summary>IronCage.Providers.Http's log messages (event ids 4900–4999). Never a credential or a header value.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4900, Level = LogLevel.Warning, Message = "A call of provider connection {Connection} failed transiently ({Reason}); retry {Attempt} in {Delay}.")]
    public static partial void Retrying(ILogger logger, string connection, string reason, int attempt, TimeSpan delay);
}
