using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using IronCage.Cli.Hosting;
using IronCage.Cli.Output;
using IronCage.Rotation;
using IronCage.Storage;
using NodaTime;
using Spectre.Console;

namespace IronCage.Cli.Commands;

/// <summary>
/// <c>ironcage keys rotate-all</c>: rotates every key that matches, a bounded number at a time, with a progress bar
/// (count, rate, time left) at a terminal and a summary line otherwise. Exit 0 when every rotation started, 3 when some
/// failed (each failure is listed), 1 when none did.
/// </summary>
internal static class BulkRotateCommand
{
    public static Command Build(CliGlobals globals)
    {
        var provider = new Option<string?>("--provider") { Description = "Only this provider's keys." };
        var label = new Option<string[]>("--label") { Description = "Only keys with this label, as name=value; repeat to require several." };
        var dueOnly = new Option<bool>("--due") { Description = "Only keys whose scheduled rotation is due." };
        var parallel = new Option<int>("--parallel") { Description = "Rotations in flight at once (1–64, default 4).", DefaultValueFactory = _ => 4 };
        var dryRun = new Option<bool>("--dry-run") { Description = "List what would rotate; change nothing." };
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation." };
        var command = new Command("rotate-all", "Rotate every matching key now (bounded parallelism, progress at a terminal).") { provider, label, dueOnly, parallel, dryRun, yes };
        globals.SetAction(command, async (parsed, scope) =>
        {
            var degree = parsed.GetValue(parallel);
            if (degree is < 1 or > 64)
            {
                throw new CliConfigurationException($"--parallel {degree} is out of range: give 1 to 64.");
            }

            var labels = (parsed.GetValue(label) ?? []).Select(pair => pair.Split('=', 2)).Select(p => p.Length == 2 ? (p[0], p[1]) : throw new CliConfigurationException($"'{p[0]}' (--label) is not name=value.")).ToList();
            ProviderId? only = parsed.GetValue(provider) is { } id ? new ProviderId(id) : null;
            var now = scope.Get<IClock>().GetCurrentInstant();
            var targets = new List<KeyReference>();
            await foreach (var key in scope.Get<IKeyStore>().ListAsync(only, scope.CancellationToken).ConfigureAwait(false))
            {
                if (labels.All(l => key.Labels.TryGetValue(l.Item1, out var v) && v == l.Item2) && (!parsed.GetValue(dueOnly) || key.NextDueAt <= now))
                {
                    targets.Add(key.Reference);
                }
            }

            targets.Sort((a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));
            if (parsed.GetValue(dryRun) || targets.Count == 0)
            {
                scope.Output.Write(new { dryRun = true, keys = targets.Select(t => t.ToString()).ToList(), total = targets.Count }, console => console.WriteLine($"{targets.Count} key(s) would rotate{(targets.Count == 0 ? "." : ": " + string.Join(", ", targets.Take(20)) + (targets.Count > 20 ? ", …" : "."))}"));
                return ExitCodes.Ok;
            }

            if (!scope.Confirm($"Rotate {targets.Count} key(s) now?", parsed.GetValue(yes)))
            {
                scope.Output.Line("Nothing was changed.");
                return ExitCodes.Ok;
            }

            var results = await RunAsync(scope, targets, degree).ConfigureAwait(false);
            var failed = results.Where(r => r.Error is not null).ToList();
            scope.Output.Write(new { rotated = results.Count - failed.Count, failed = failed.Select(f => new { key = f.Key, error = f.Error }).ToList(), total = results.Count, seconds = Math.Round(results.Elapsed.TotalSeconds, 3) }, console =>
            {
                console.WriteLine($"Rotated {results.Count - failed.Count} of {results.Count} key(s) in {results.Elapsed.TotalSeconds:0.0} s ({Rate(results.Count, results.Elapsed)}/s).");
                foreach (var failure in failed)
                {
                    console.WriteLine($"  {failure.Key}: {failure.Error}");
                }
            });
            return failed.Count == 0 ? ExitCodes.Ok : failed.Count == results.Count ? ExitCodes.Failure : ExitCodes.Partial;
        });
        return command;
    }

    private static async Task<Results> RunAsync(CommandScope scope, List<KeyReference> targets, int degree)
    {
        var rotator = scope.Get<IKeyRotator>();
        var results = new Results();
        var watch = Stopwatch.StartNew();
        async Task RotateAllAsync(Action<int> advanced)
        {
            var done = 0;
            await Parallel.ForEachAsync(targets, new ParallelOptions { MaxDegreeOfParallelism = degree, CancellationToken = scope.CancellationToken }, async (key, cancellationToken) =>
            {
                string? error = null;
                try
                {
                    var operation = await rotator.RotateAsync(key, RotationReason.Manual, scope.Request("bulk rotation"), cancellationToken).ConfigureAwait(false);
                    if (operation.Step is RotationStep.Failed or RotationStep.RevocationFailed)
                    {
                        error = operation.LastError ?? operation.Step.ToString();
                    }
                }
                catch (IronCageException exception)
                {
                    error = exception.Message;
                }

                lock (results)
                {
                    results.Add(new Result(key.ToString(), error));
                }

                advanced(Interlocked.Increment(ref done));
            }).ConfigureAwait(false);
        }

        var console = scope.Output.Console;
        if (!scope.Output.Json && console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi)
        {
            await console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async progress =>
                {
                    var task = progress.AddTask(Describe(0, targets.Count, watch.Elapsed), maxValue: targets.Count);
                    await RotateAllAsync(done =>
                    {
                        task.Value = done;
                        task.Description = Describe(done, targets.Count, watch.Elapsed);
                    }).ConfigureAwait(false);
                }).ConfigureAwait(false);
        }
        else
        {
            await RotateAllAsync(_ => { }).ConfigureAwait(false);
        }

        results.Elapsed = watch.Elapsed;
        return results;
    }

    private static string Describe(int done, int total, TimeSpan elapsed) => $"Rotating {done}/{total} ({Rate(done, elapsed)}/s)";

    private static string Rate(int count, TimeSpan elapsed) => (elapsed.TotalSeconds <= 0 ? 0 : count / elapsed.TotalSeconds).ToString("0.0", CultureInfo.InvariantCulture);

    private sealed record Result(string Key, string? Error);

    private sealed class Results : List<Result>
    {
        public TimeSpan Elapsed { get; set; }
    }
}
