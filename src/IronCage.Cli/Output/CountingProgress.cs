using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace IronCage.Cli.Output;

/// <summary>
/// A live line for work whose total is not known up front (an import streaming from its sources, a scan walking a
/// tree or a history): what is being done, how many so far and the rate, with a spinner. Shown only on an interactive
/// ANSI terminal and never with <c>--json</c>; elsewhere the work just runs.
/// </summary>
internal static class CountingProgress
{
    /// <summary>Runs <paramref name="work"/>, which calls the callback it is given once per item done.</summary>
    public static async Task RunAsync(CliOutput output, string activity, string unit, Func<Action, Task> work)
    {
        var console = output.Console;
        if (output.Json || !console.Profile.Capabilities.Interactive || !console.Profile.Capabilities.Ansi)
        {
            await work(() => { }).ConfigureAwait(false);
            return;
        }

        var watch = Stopwatch.StartNew();
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(Describe(activity, unit, 0, watch.Elapsed)).IsIndeterminate();
                var done = 0;
                await work(() =>
                {
                    var count = Interlocked.Increment(ref done);
                    task.Description = Describe(activity, unit, count, watch.Elapsed);
                }).ConfigureAwait(false);
                task.Description = Describe(activity, unit, done, watch.Elapsed);
                task.IsIndeterminate(false);
                task.Value = task.MaxValue;
                task.StopTask();
            }).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="work"/> with a live line whose text <paramref name="describe"/> makes from the elapsed time;
    /// the work calls the callback it is given whenever what the line shows has changed.
    /// </summary>
    public static async Task RunAsync(CliOutput output, Func<TimeSpan, string> describe, Func<Action, Task> work)
    {
        var console = output.Console;
        if (output.Json || !console.Profile.Capabilities.Interactive || !console.Profile.Capabilities.Ansi)
        {
            await work(() => { }).ConfigureAwait(false);
            return;
        }

        var watch = Stopwatch.StartNew();
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async progress =>
            {
                var task = progress.AddTask(Markup.Escape(describe(watch.Elapsed))).IsIndeterminate();
                await work(() => task.Description = Markup.Escape(describe(watch.Elapsed))).ConfigureAwait(false);
                task.Description = Markup.Escape(describe(watch.Elapsed));
                task.IsIndeterminate(false);
                task.Value = task.MaxValue;
                task.StopTask();
            }).ConfigureAwait(false);
    }

    /// <summary>The line's text: <c>Importing 1,234 keys (456.7/s)</c>.</summary>
    public static string Describe(string activity, string unit, int count, TimeSpan elapsed)
    {
        var rate = elapsed.TotalSeconds <= 0 ? 0 : count / elapsed.TotalSeconds;
        return string.Create(CultureInfo.InvariantCulture, $"{activity} {count:N0} {unit} ({rate:0.0}/s)");
    }
}
