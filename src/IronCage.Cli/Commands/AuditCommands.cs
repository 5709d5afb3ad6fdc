using System.CommandLine;
using IronCage.Auditing;
using IronCage.Cli.Hosting;
using IronCage.Cli.Output;
using IronCage.Encryption;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace IronCage.Cli.Commands;

/// <summary><c>ironcage audit …</c>: read the audit trail and check its hash chain.</summary>
internal static class AuditCommands
{
    public static Command Build(CliGlobals globals)
    {
        var audit = new Command("audit", "Read the audit trail and verify its hash chain.");
        audit.Add(List(globals));
        audit.Add(Verify(globals));
        audit.Add(Checkpoint(globals));
        return audit;
    }

    private static Command List(CliGlobals globals)
    {
        var from = new Option<long>("--from") { Description = "The first sequence number to show.", DefaultValueFactory = _ => 1 };
        var limit = new Option<int>("--limit") { Description = "At most this many records (default 100).", DefaultValueFactory = _ => 100 };
        var target = new Option<string?>("--target") { Description = "Only records about this target (for example openai/prod)." };
        var command = new Command("list", "List audit records: who did what to which key, when, and the outcome.") { from, limit, target };
        globals.SetAction(command, async (parsed, scope) =>
        {
            var only = parsed.GetValue(target);
            var max = Math.Max(1, parsed.GetValue(limit));
            var records = new List<object>();
            var rows = new List<string?[]>();
            await foreach (var record in scope.Get<IAuditLog>().ReadAsync(Math.Max(1, parsed.GetValue(from)), scope.CancellationToken).ConfigureAwait(false))
            {
                var e = record.Event;
                if (only is not null && !string.Equals(e.Target, only, StringComparison.Ordinal))
                {
                    continue;
                }

                records.Add(new { sequence = record.Sequence, timestamp = e.Timestamp, action = e.Action.ToString(), target = e.Target, actor = e.Actor, outcome = e.Outcome.ToString(), reason = e.Reason, ipAddress = e.IpAddress, details = e.Details, hash = record.Hash });
                rows.Add([record.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), Show.Time(e.Timestamp), e.Action.ToString(), e.Target, e.Actor, e.Outcome.ToString(), e.Reason]);
                if (records.Count == max)
                {
                    break;
                }
            }

            scope.Output.Write(new { records, total = records.Count }, console =>
            {
                console.Write(CliOutput.Table(["#", "Time", "Action", "Target", "Actor", "Outcome", "Reason"], rows));
                console.WriteLine($"{records.Count} record(s).");
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Verify(CliGlobals globals)
    {
        var file = CheckpointFileOption("The checkpoint file to verify against (its latest checkpoint): a chain cut or rewritten below it is caught; default: IronCage:AuditCheckpointFile, else the chain alone.");
        var command = new Command("verify", "Check the audit trail's hash chain (and against the latest exported checkpoint): exit 0 when intact, 1 with the first bad sequence when not.") { file };
        globals.SetAction(command, async (parsed, scope) =>
        {
            var path = CheckpointFile(scope, parsed.GetValue(file));
            var result = path is null
                ? await scope.Get<IAuditLog>().VerifyAsync(null, scope.CancellationToken).ConfigureAwait(false)
                : await Exporter(scope, path).VerifyAsync(scope.CancellationToken).ConfigureAwait(false);
            var view = new { valid = result.IsValid, recordsChecked = result.RecordsChecked, firstInvalidSequence = result.FirstInvalidSequence, tamper = result.Tamper?.ToString(), head = result.Head is { } head ? new { sequence = head.Sequence, hash = head.Hash } : null, message = result.Message };
            scope.Output.Write(view, console => console.WriteLine(result.IsValid
                ? $"The audit chain is intact: {result.RecordsChecked} record(s) checked."
                : $"The audit chain is broken at sequence {result.FirstInvalidSequence}: {result.Message}"));
            return result.IsValid ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }

    private static Command Checkpoint(CliGlobals globals)
    {
        var file = CheckpointFileOption("Where checkpoints are appended (one JSON line each), kept outside the database; default: IronCage:AuditCheckpointFile.");
        var command = new Command("checkpoint", "Verify the chain and append its head, authenticated with a key derived from the master key, to a checkpoint file outside the database.") { file };
        globals.SetAction(command, async (parsed, scope) =>
        {
            var path = CheckpointFile(scope, parsed.GetValue(file))
                ?? throw new CliConfigurationException("Say where checkpoints go: --file /secure/ironcage-audit.checkpoints (outside the database, where its writers cannot reach), or IronCage:AuditCheckpointFile.");
            var checkpoint = await Exporter(scope, path).ExportAsync(scope.CancellationToken).ConfigureAwait(false);
            if (checkpoint is null)
            {
                scope.Output.Error($"No checkpoint was written to {path}: the audit log is empty, its chain does not verify, or the file's latest checkpoint is not authentic. Run `ironcage audit verify --file {path}` to see which.");
                return ExitCodes.Failure;
            }

            var view = new { file = path, sequence = checkpoint.Checkpoint.Sequence, hash = checkpoint.Checkpoint.Hash, takenAt = checkpoint.TakenAt, keyId = checkpoint.KeyId };
            scope.Output.Write(view, console => console.WriteLine($"Checkpoint at sequence {view.sequence} ({view.hash[..16]}…) is in {path}."));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Option<string?> CheckpointFileOption(string description) => new("--file") { Description = description };

    private static string? CheckpointFile(CommandScope scope, string? given)
        => given is not null ? scope.Context.PathFor(given) : scope.Get<IConfiguration>()["IronCage:AuditCheckpointFile"] is { } configured ? scope.Context.PathFor(configured) : null;

    private static AuditCheckpointExporter Exporter(CommandScope scope, string path)
    {
        var authenticator = scope.Services.GetService<AuditCheckpointAuthenticator>()
            ?? (scope.Get<IKeyEncryptionKeyProvider>() is LocalMasterKeyProvider local
                ? new AuditCheckpointAuthenticator(local)
                : throw new CliConfigurationException("Audit checkpoints are authenticated with a key derived from the local master key; this store's keys are protected another way."));
        return new AuditCheckpointExporter(
            scope.Get<IAuditLog>(),
            new FileAuditCheckpointSink(path),
            authenticator,
            Options.Create(new AuditCheckpointExportOptions { FilePath = path }),
            scope.Get<TimeProvider>(),
            scope.Get<ILoggerFactory>().CreateLogger<AuditCheckpointExporter>());
    }
}
