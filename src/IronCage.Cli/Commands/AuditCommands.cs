using System.CommandLine;
using IronCage.Auditing;
using IronCage.Cli.Output;
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
        var command = new Command("verify", "Check the audit trail's hash chain: exit 0 when intact, 1 with the first bad sequence when not.");
        globals.SetAction(command, async (_, scope) =>
        {
            var result = await scope.Get<IAuditLog>().VerifyAsync(null, scope.CancellationToken).ConfigureAwait(false);
            var view = new { valid = result.IsValid, recordsChecked = result.RecordsChecked, firstInvalidSequence = result.FirstInvalidSequence, tamper = result.Tamper?.ToString(), head = result.Head is { } head ? new { sequence = head.Sequence, hash = head.Hash } : null, message = result.Message };
            scope.Output.Write(view, console => console.WriteLine(result.IsValid
                ? $"The audit chain is intact: {result.RecordsChecked} record(s) checked."
                : $"The audit chain is broken at sequence {result.FirstInvalidSequence}: {result.Message}"));
            return result.IsValid ? ExitCodes.Ok : ExitCodes.Failure;
        });
        return command;
    }
}
