using Microsoft.Extensions.Logging;

namespace IronCage.Providers.GoogleGemini;

/// <summary>IronCage.Providers.GoogleGemini's log messages (event ids 4500–4599). Key ids, names and hints only, never key strings.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4500, Level = LogLevel.Information, Message = "Created Google API key {KeyId} ({DisplayName}) in project {Project} for {Key}; value {DisplayHint}; restrictions copied from {Template}.")]
    public static partial void KeyCreated(ILogger logger, string keyId, string displayName, string project, KeyReference key, string displayHint, string template);

    [LoggerMessage(EventId = 4501, Level = LogLevel.Information, Message = "Deleted Google API key {KeyId} in project {Project} for {Key} (restorable for 30 days).")]
    public static partial void KeyDeleted(ILogger logger, string keyId, string project, KeyReference key);

    [LoggerMessage(EventId = 4502, Level = LogLevel.Information, Message = "Undeleted Google API key {KeyId} in project {Project} for {Key}.")]
    public static partial void KeyUndeleted(ILogger logger, string keyId, string project, KeyReference key);

    [LoggerMessage(EventId = 4503, Level = LogLevel.Debug, Message = "Waiting for Google operation {Operation} ({What}).")]
    public static partial void OperationPending(ILogger logger, string operation, string what);

    [LoggerMessage(EventId = 4505, Level = LogLevel.Information, Message = "Google API key {KeyId} already exists in project {Project} (an earlier attempt of the same create); using it.")]
    public static partial void KeyAlreadyCreated(ILogger logger, string keyId, string project);

    [LoggerMessage(EventId = 4506, Level = LogLevel.Information, Message = "Google API key id {KeyId} in project {Project} is held by a deleted key (an orphan of a lost create, removed before this attempt); creating the key as {RetryKeyId}.")]
    public static partial void KeyIdHeldByDeletedKey(ILogger logger, string keyId, string retryKeyId, string project);
}
