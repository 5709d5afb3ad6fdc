using Microsoft.Extensions.Logging;

namespace IronCage.Secrets.HashiCorpVault;

/// <summary>IronCage.Secrets.HashiCorpVault's log messages (event ids 7340–7359). Paths, fields, versions and hints only, never values or tokens.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7340, Level = LogLevel.Information, Message = "Wrote {Key} version {KeyVersion} ({DisplayHint}) to Vault {Path}#{Field} as KV version {SecretVersion}.")]
    public static partial void Written(ILogger logger, string key, string keyVersion, string displayHint, string path, string field, int secretVersion);

    [LoggerMessage(EventId = 7341, Level = LogLevel.Debug, Message = "Vault {Path}#{Field} already holds {Key} version {KeyVersion} (KV version {SecretVersion}); nothing written.")]
    public static partial void AlreadyCurrent(ILogger logger, string path, string field, string key, string keyVersion, int secretVersion);

    [LoggerMessage(EventId = 7342, Level = LogLevel.Warning, Message = "Vault {Path} changed while IronCage wrote it (check-and-set {Cas} did not match); reading it again.")]
    public static partial void CasConflict(ILogger logger, string path, int cas);

    [LoggerMessage(EventId = 7343, Level = LogLevel.Information, Message = "Logged in to Vault with AppRole (mount {Mount}).")]
    public static partial void LoggedIn(ILogger logger, string mount);

    [LoggerMessage(EventId = 7344, Level = LogLevel.Debug, Message = "Read Vault {Path} for import: {Count} candidate(s).")]
    public static partial void SourceRead(ILogger logger, string path, int count);
}
