using Microsoft.Extensions.Logging;

namespace IronCage.Secrets;

/// <summary>IronCage.Secrets' log messages (event ids 7200–7399). Origins, references, hints and target names only; never a value.</summary>
internal static partial class Log
{
    // Sources: 7200–7219.
    [LoggerMessage(EventId = 7200, Level = LogLevel.Information, Message = "The secrets directory {Directory} changed.")]
    public static partial void DirectoryChanged(ILogger logger, string directory);

    [LoggerMessage(EventId = 7201, Level = LogLevel.Warning, Message = "Cannot watch {Directory} for file events ({Reason}); changes are noticed by polling only.")]
    public static partial void WatcherPollingOnly(ILogger logger, string directory, string reason);

    // The importer: 7220–7259.
    [LoggerMessage(EventId = 7220, Level = LogLevel.Information, Message = "Import from {Source}: {Origin} → {Status} {Reference} ({Hint}). {Reason}")]
    public static partial void ImportEntry(ILogger logger, string source, string origin, KeyImportStatus status, KeyReference? reference, string? hint, string? reason);

    [LoggerMessage(EventId = 7221, Level = LogLevel.Information, Message = "Import from {Source} finished{DryRun}: {Imported} imported, {AlreadyManaged} already managed, {Invalid} invalid, {Unverifiable} unverifiable, {UnknownProvider} unknown provider.")]
    public static partial void ImportFinished(ILogger logger, string source, string dryRun, int imported, int alreadyManaged, int invalid, int unverifiable, int unknownProvider);

    // Targets: 7260–7299.
    [LoggerMessage(EventId = 7260, Level = LogLevel.Information, Message = "Distribution target {Target} now holds {Key} version {Version} ({Hint}){Note}.")]
    public static partial void TargetWritten(ILogger logger, string target, KeyReference key, string version, string hint, string note);

    [LoggerMessage(EventId = 7261, Level = LogLevel.Information, Message = "Distribution target {Target} restored {Key} to version {Version} ({Hint}).")]
    public static partial void TargetRestored(ILogger logger, string target, KeyReference key, string version, string hint);

    [LoggerMessage(EventId = 7262, Level = LogLevel.Warning, Message = "Webhook target {Target}: attempt {Attempt} for {Key} version {Version} failed ({Reason}); retrying.")]
    public static partial void WebhookRetry(ILogger logger, string target, KeyReference key, string version, int attempt, string reason);
}
