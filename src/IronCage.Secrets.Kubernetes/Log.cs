using Microsoft.Extensions.Logging;

namespace IronCage.Secrets.Kubernetes;

/// <summary>IronCage.Secrets.Kubernetes's log messages (event ids 7360–7379). Object names, versions and hints only, never values.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7360, Level = LogLevel.Information, Message = "Wrote {Key} version {KeyVersion} ({DisplayHint}) to Secret {Namespace}/{Secret} key {DataKey} (resourceVersion {ResourceVersion}).")]
    public static partial void Written(ILogger logger, string key, string keyVersion, string displayHint, string @namespace, string secret, string dataKey, string? resourceVersion);

    [LoggerMessage(EventId = 7361, Level = LogLevel.Debug, Message = "Secret {Namespace}/{Secret} key {DataKey} already holds {Key} version {KeyVersion}; nothing written.")]
    public static partial void AlreadyCurrent(ILogger logger, string @namespace, string secret, string dataKey, string key, string keyVersion);

    [LoggerMessage(EventId = 7362, Level = LogLevel.Information, Message = "Restarted Deployment {Namespace}/{Deployment} for {Key} version {KeyVersion} (generation {Generation}).")]
    public static partial void Restarted(ILogger logger, string @namespace, string deployment, string key, string keyVersion, long? generation);

    [LoggerMessage(EventId = 7363, Level = LogLevel.Debug, Message = "Deployment {Namespace}/{Deployment} has not adopted {Key} version {KeyVersion}: {Waiting}.")]
    public static partial void RolloutPending(ILogger logger, string @namespace, string deployment, KeyReference key, string keyVersion, string waiting);

    [LoggerMessage(EventId = 7364, Level = LogLevel.Debug, Message = "Read Secret {Namespace}/{Secret}: {Candidates} candidate(s), {Skipped} value(s) that are not text skipped.")]
    public static partial void SourceRead(ILogger logger, string @namespace, string secret, int candidates, int skipped);
}
