using System.CommandLine;
using System.Globalization;
using IronCage.Cli.Output;
using IronCage.Rotation;
using Spectre.Console;

namespace IronCage.Cli.Commands;

/// <summary>
/// <c>ironcage master-key rewrap</c>: step 2 of a master-key (KEK) rotation. With the new master key configured and the
/// old one in <c>IRONCAGE_RETIRED_MASTER_KEYS</c> (or <c>IRONCAGE_RETIRED_MASTER_KEY_FILES</c>), every stored secret whose
/// data key is wrapped by another key — key versions and the new keys of unfinished rotations — is re-wrapped under the
/// current one by <see cref="IKeyRewrapper"/>, in batches, resumably. <c>ironcage master-key status</c> shows which
/// keys the store still references, so the old one is removed only when nothing needs it.
/// </summary>
internal static class MasterKeyCommands
{
    public static Command Build(CliGlobals globals)
    {
        var masterKey = new Command("master-key", "Master-key rotation: re-wrap stored secrets under the current master key, and see which keys are still referenced.");
        masterKey.Add(BuildRewrap(globals));
        masterKey.Add(BuildStatus(globals));
        return masterKey;
    }

    private static Command BuildRewrap(CliGlobals globals)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would be re-wrapped; change nothing." };
        var batchSize = new Option<int>("--batch-size") { Description = $"Keys re-wrapped between two progress reports (1–{KeyRewrapRequest.MaxBatchSize}, default {KeyRewrapRequest.DefaultBatchSize}).", DefaultValueFactory = _ => KeyRewrapRequest.DefaultBatchSize };
        batchSize.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > KeyRewrapRequest.MaxBatchSize)
            {
                result.AddError($"--batch-size must be 1 to {KeyRewrapRequest.MaxBatchSize}.");
            }
        });
        var rewrap = new Command("rewrap", "Re-wrap every stored secret under the current master key (the old one must be in IRONCAGE_RETIRED_MASTER_KEYS or IRONCAGE_RETIRED_MASTER_KEY_FILES). Stopped or crashed half-way, run it again: it finishes what is left.") { dryRun, batchSize };

        // The operator's word for this step is "rotate the master key": accept it as well.
        rewrap.Aliases.Add("rotate");
        globals.SetAction(rewrap, async (parsed, scope) =>
        {
            var rewrapper = scope.Get<IKeyRewrapper>();
            var request = new KeyRewrapRequest { DryRun = parsed.GetValue(dryRun), BatchSize = parsed.GetValue(batchSize), Actor = scope.Actor };
            KeyRewrapResult result;
            var console = scope.Output.Console;
            if (!request.DryRun && !scope.Output.Json && console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi)
            {
                result = null!;
                await console.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .StartAsync(async progress =>
                    {
                        var watch = System.Diagnostics.Stopwatch.StartNew();
                        var task = progress.AddTask("Re-wrapping", maxValue: 1);
                        result = await rewrapper.RewrapAsync(request, new InlineProgress(p =>
                        {
                            task.MaxValue = Math.Max(1, p.KeysTotal);
                            task.Value = p.KeysDone;
                            task.Description = Describe(p.KeysDone, p.KeysTotal, watch.Elapsed);
                        }), scope.CancellationToken).ConfigureAwait(false);
                        task.Value = task.MaxValue;
                    }).ConfigureAwait(false);
            }
            else
            {
                result = await rewrapper.RewrapAsync(request, null, scope.CancellationToken).ConfigureAwait(false);
            }

            var view = new { dryRun = result.DryRun, currentKey = result.CurrentKeyId, keys = result.Keys, versions = result.Versions, operations = result.Operations, batches = result.Batches, previousKeys = result.PreviousKeyIds };
            scope.Output.Write(view, c => c.WriteLine(result.DryRun
                ? $"{result.Versions} version(s) of {result.Keys} key(s) and {result.Operations} unfinished rotation(s) would be re-wrapped under {result.CurrentKeyId}."
                : $"Re-wrapped {result.Versions} version(s) of {result.Keys} key(s) and {result.Operations} unfinished rotation(s) under {result.CurrentKeyId}. Check `ironcage master-key status`; once every host runs with the new master key, remove the old one."));
            return ExitCodes.Ok;
        });
        return rewrap;
    }

    private static Command BuildStatus(CliGlobals globals)
    {
        var status = new Command("status", "Show which key-encryption keys the stored secrets are under, and whether an old one can be removed.");
        globals.SetAction(status, async (_, scope) =>
        {
            var result = await scope.Get<IKeyRewrapper>().GetStatusAsync(scope.CancellationToken).ConfigureAwait(false);
            var view = new
            {
                currentKey = result.CurrentKeyId,
                stale = result.Stale,
                keys = result.Usage.Select(u => new { id = u.KeyEncryptionKeyId, current = u.KeyEncryptionKeyId == result.CurrentKeyId, keys = u.Keys, versions = u.Versions, operations = u.Operations }).ToList(),
            };
            scope.Output.Write(view, console =>
            {
                var table = new Table().Border(TableBorder.Rounded).AddColumns("Key-encryption key", "Keys", "Versions", "Unfinished rotations");
                foreach (var usage in result.Usage)
                {
                    var name = usage.KeyEncryptionKeyId == result.CurrentKeyId ? $"{Markup.Escape(usage.KeyEncryptionKeyId)} (current)" : Markup.Escape(usage.KeyEncryptionKeyId);
                    table.AddRow(name, usage.Keys.ToString(CultureInfo.InvariantCulture), usage.Versions.ToString(CultureInfo.InvariantCulture), usage.Operations.ToString(CultureInfo.InvariantCulture));
                }

                console.Write(table);
                console.WriteLine(result.Stale == 0
                    ? $"Every stored secret is under the current key {result.CurrentKeyId}: any other master key can be removed."
                    : $"{result.Stale} secret(s) are still under an older key: run `ironcage master-key rewrap` before removing it.");
            });
            return ExitCodes.Ok;
        });
        return status;
    }

    private static string Describe(int done, int total, TimeSpan elapsed)
        => string.Create(CultureInfo.InvariantCulture, $"Re-wrapping {done}/{total} keys ({(elapsed.TotalSeconds <= 0 ? 0 : done / elapsed.TotalSeconds):0.0}/s)");

    /// <summary>Reports on the caller's thread (<see cref="Progress{T}"/> would post to a thread-pool thread, after the run ended).</summary>
    private sealed class InlineProgress(Action<KeyRewrapProgress> report) : IProgress<KeyRewrapProgress>
    {
        public void Report(KeyRewrapProgress value) => report(value);
    }
}
