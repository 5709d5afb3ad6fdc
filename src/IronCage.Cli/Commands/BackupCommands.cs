using System.CommandLine;
using IronCage.Cli.Hosting;
using IronCage.Rotation;
using Spectre.Console;

namespace IronCage.Cli.Commands;

/// <summary>
/// <c>ironcage backup export --out &lt;file&gt;</c> writes the whole store (keys with every version still sealed, rotation
/// operations, the audit log for reference) to one file authenticated by a MAC whose key the master key wraps, through
/// <see cref="IKeyStoreBackup"/>; <c>ironcage backup restore &lt;file&gt; [--merge] [--dry-run]</c> verifies the whole file
/// and every secret before it writes anything, into an empty store unless <c>--merge</c>.
/// </summary>
internal static class BackupCommands
{
    public static Command Build(CliGlobals globals)
    {
        var backup = new Command("backup", "Back up the store to one sealed file and restore it (also to move from SQLite to PostgreSQL). Secrets stay encrypted in the file.");
        backup.Add(BuildExport(globals));
        backup.Add(BuildRestore(globals));
        return backup;
    }

    private static Command BuildExport(CliGlobals globals)
    {
        var output = new Option<string>("--out", "-o") { Description = "The file to write.", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace the file if it exists." };
        var noAudit = new Option<bool>("--no-audit") { Description = "Leave the audit log's records out (they are never re-imported; a restore names their chain head)." };
        var export = new Command("export", "Write every managed key (all versions, sealed), rotation operation and audit record to a file only a holder of the master key can check or restore.") { output, force, noAudit };
        globals.SetAction(export, async (parsed, scope) =>
        {
            var path = scope.Context.PathFor(parsed.GetValue(output)!);
            if (File.Exists(path) && !parsed.GetValue(force))
            {
                throw new CliConfigurationException($"{path} exists; nothing was written. Choose another file, or pass --force to replace it.");
            }

            // Written beside the target and moved into place when complete, so a failed export never leaves a file
            // under the backup's name (it would not restore: it has no MAC line).
            var partial = path + ".partial";
            StoreBackupReport report;
            var stream = new FileStream(partial, OwnerOnly(FileMode.Create));
            await using (stream.ConfigureAwait(false))
            {
                try
                {
                    report = await scope.Get<IKeyStoreBackup>().ExportAsync(stream, new StoreBackupOptions { Actor = scope.Actor, IncludeAuditLog = !parsed.GetValue(noAudit) }, scope.CancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                    File.Delete(partial);
                    throw;
                }
            }

            File.Move(partial, path, overwrite: true);
            var view = new { backupId = report.BackupId, file = path, bytes = report.Bytes, keyEncryptionKey = report.KeyEncryptionKeyId, keys = report.Keys, versions = report.Versions, operations = report.Operations, auditRecords = report.AuditRecords, secretKeyEncryptionKeys = report.SecretKeyEncryptionKeyIds };
            scope.Output.Write(view, c => c.WriteLine($"Backup {report.BackupId}: {report.Keys} key(s), {report.Versions} version(s), {report.Operations} rotation operation(s) and {report.AuditRecords} audit record(s) written to {path} ({report.Bytes} bytes). Restoring it needs master key {report.KeyEncryptionKeyId}."));
            return ExitCodes.Ok;
        });
        return export;
    }

    private static Command BuildRestore(CliGlobals globals)
    {
        var file = new Argument<string>("file") { Description = "The backup file." };
        var merge = new Option<bool>("--merge") { Description = "Restore into a store that already holds keys: keys it has are skipped and listed, the rest are added." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Verify the file and every secret, and report what would be restored; write nothing." };
        var restore = new Command("restore", "Restore a backup into this store (empty unless --merge). The whole file and every secret are checked before anything is written.") { file, merge, dryRun };
        globals.SetAction(restore, async (parsed, scope) =>
        {
            var path = scope.Context.PathFor(parsed.GetValue(file)!);
            if (!File.Exists(path))
            {
                throw new CliConfigurationException($"{path} does not exist.");
            }

            StoreRestoreReport report;
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                report = await scope.Get<IKeyStoreBackup>().RestoreAsync(stream, new StoreRestoreOptions { Merge = parsed.GetValue(merge), DryRun = parsed.GetValue(dryRun), Actor = scope.Actor }, scope.CancellationToken).ConfigureAwait(false);
            }

            var view = new
            {
                backupId = report.BackupId,
                dryRun = report.DryRun,
                keys = report.Keys,
                versions = report.Versions,
                operations = report.Operations,
                secretsVerified = report.SecretsVerified,
                skippedKeys = report.SkippedKeys.Select(k => k.ToString()).ToList(),
                skippedOperations = report.SkippedOperations,
                auditRecordsInBackup = report.AuditRecordsInBackup,
                auditHeadSequence = report.AuditHeadSequence,
                auditHeadHash = report.AuditHeadHash,
            };
            scope.Output.Write(view, c =>
            {
                c.WriteLine(report.DryRun
                    ? $"Backup {report.BackupId} is intact and every one of its {report.SecretsVerified} secret(s) opens here: {report.Keys} key(s), {report.Versions} version(s) and {report.Operations} rotation operation(s) would be restored. Nothing was written."
                    : $"Restored backup {report.BackupId}: {report.Keys} key(s), {report.Versions} version(s), {report.Operations} rotation operation(s). Its {report.AuditRecordsInBackup} audit record(s) stay in the file; this store's audit log records the restore.");
                if (report.SkippedKeys.Count > 0)
                {
                    c.WriteLine($"Skipped {report.SkippedKeys.Count} key(s) the store already holds: {string.Join(", ", report.SkippedKeys)}.");
                }
            });
            return ExitCodes.Ok;
        });
        return restore;
    }

    private static FileStreamOptions OwnerOnly(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }
}
