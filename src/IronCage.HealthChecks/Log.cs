using Microsoft.Extensions.Logging;

namespace IronCage.HealthChecks;

/// <summary>IronCage.HealthChecks' log messages (event ids 7100–7199). Key references and hints only, never values.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7100, Level = LogLevel.Warning, Message = "Health check {Check} failed with {ErrorType}.")]
    public static partial void CheckFailed(ILogger logger, string check, string errorType);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Error, Message = "Health check {Check}: version {VersionId} of {Key} does not open with the configured master key ({ErrorType}).")]
    public static partial void SecretDoesNotOpen(ILogger logger, string check, KeyReference key, string versionId, string errorType);
}
