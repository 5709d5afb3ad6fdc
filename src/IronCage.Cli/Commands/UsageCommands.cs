using System.CommandLine;
using System.Globalization;
using IronCage.Cli.Hosting;
using IronCage.Cli.Output;
using IronCage.Usage;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;

namespace IronCage.Cli.Commands;

/// <summary><c>ironcage usage …</c>: a key's usage against its limits, its history, and reports as a table, JSON or CSV.</summary>
internal static class UsageCommands
{
    public static Command Build(CliGlobals globals)
    {
        var usage = new Command("usage", "Usage, cost and limits per key; history and reports as a table, JSON or CSV.");
        usage.Add(ShowUsage(globals));
        usage.Add(History(globals));
        usage.Add(Report(globals));
        return usage;
    }

    private static Command ShowUsage(CliGlobals globals)
    {
        var key = KeyArgument.Create();
        var command = new Command("show", "A key's usage in the current minute, hour, day and month, its limits, and this month's cost and projection.") { key };
        globals.SetAction(command, async (parsed, scope) =>
        {
            // Read from the store, not from this process's live counters: the tool has just started, and the usage it
            // shows was recorded by the host's instances.
            var reference = parsed.GetValue(key);
            var query = scope.Get<IUsageQuery>();
            var snapshot = await query.GetCurrentUsageAsync(reference, scope.CancellationToken).ConfigureAwait(false);
            var windows = new List<(string Name, UsageWindow Window, CostProjection Bounds, StoredUsage Usage)>();
            foreach (var (name, window) in new[] { ("minute", UsageWindow.Minute), ("hour", UsageWindow.Hour), ("day", UsageWindow.Day), ("month", UsageWindow.Month) })
            {
                var bounds = await query.GetCostAsync(reference, window, scope.CancellationToken).ConfigureAwait(false);
                var rows = await query.GetHistoryAsync(reference, window, bounds.PeriodStart, bounds.PeriodEnd, byModel: false, scope.CancellationToken).ConfigureAwait(false);
                windows.Add((name, window, bounds, StoredUsage.Sum(rows)));
            }

            var month = windows[^1];
            var projected = month.Bounds.ElapsedFraction > 0 ? month.Usage.Cost / (decimal)month.Bounds.ElapsedFraction : month.Usage.Cost;
            var limits = snapshot.Limits.Select(l =>
            {
                var used = windows.First(w => w.Window == l.Limit.Window).Usage.ValueOf(l.Limit.Metric);
                return new { metric = l.Limit.Metric.ToString(), window = l.Limit.Window.ToString(), enforcement = l.Limit.Enforcement.ToString(), limit = l.Limit.Limit, used, fractionUsed = l.Limit.Limit == 0 ? 1.0 : (double)(used / l.Limit.Limit), resetsAt = l.ResetsAt };
            }).ToList();
            var view = new
            {
                key = reference.ToString(),
                at = snapshot.At,
                currency = snapshot.Currency,
                usage = windows.ToDictionary(w => w.Name, w => (object)w.Usage),
                limits,
                costs = new { current = month.Usage.Cost, projected, periodEnd = month.Bounds.PeriodEnd },
            };
            scope.Output.Write(view, console =>
            {
                console.Write(CliOutput.Table(
                    ["Window", "Requests", "Errors", "Input tokens", "Output tokens", $"Cost ({snapshot.Currency})"],
                    windows.Select(w => new[] { w.Name, Number(w.Usage.Requests), Number(w.Usage.Errors), Number(w.Usage.InputTokens), Number(w.Usage.OutputTokens), Money(w.Usage.Cost) })));
                if (limits.Count != 0)
                {
                    console.Write(CliOutput.Table(
                        ["Limit", "Window", "Enforcement", "Used", "Of", "Resets"],
                        limits.Select(l => new[] { l.metric, l.window, l.enforcement, l.used.ToString(CultureInfo.InvariantCulture), l.limit.ToString(CultureInfo.InvariantCulture), Show.Time(l.resetsAt) })));
                }

                console.WriteLine($"This month: {Money(month.Usage.Cost)} {snapshot.Currency}, projected {Money(projected)} by {Show.Time(month.Bounds.PeriodEnd)}.");
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command History(CliGlobals globals)
    {
        var key = KeyArgument.Create();
        var granularity = new Option<UsageWindow>("--granularity") { Description = "Hour, Day (the default) or Month.", DefaultValueFactory = _ => UsageWindow.Day };
        var from = new Option<string?>("--from") { Description = "The first instant (ISO); default: 30 days ago." };
        var to = new Option<string?>("--to") { Description = "The end (ISO, exclusive); default: now." };
        var command = new Command("history", "A key's usage per hour, day or month.") { key, granularity, from, to };
        globals.SetAction(command, async (parsed, scope) =>
        {
            var (start, end) = Range(scope, parsed.GetValue(from), parsed.GetValue(to));
            var rows = await scope.Get<IUsageQuery>().GetHistoryAsync(parsed.GetValue(key), parsed.GetValue(granularity), start, end, byModel: false, scope.CancellationToken).ConfigureAwait(false);
            var views = rows.Select(Aggregate).ToList();
            scope.Output.Write(new { key = parsed.GetValue(key).ToString(), from = start, to = end, rows = views }, console =>
                console.Write(CliOutput.Table(
                    ["From", "Requests", "Errors", "Input tokens", "Output tokens", "Cost"],
                    rows.Select(r => new[] { Show.Time(r.WindowStart), Number(r.Requests), Number(r.Errors), Number(r.InputTokens), Number(r.OutputTokens), Money(r.Cost) }))));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Report(CliGlobals globals)
    {
        var key = new Option<string?>("--key") { Description = "Only this key (provider/name); default: every key." };
        var granularity = new Option<UsageWindow>("--granularity") { Description = "Hour, Day (the default) or Month.", DefaultValueFactory = _ => UsageWindow.Day };
        var from = new Option<string?>("--from") { Description = "The first instant (ISO); default: 30 days ago." };
        var to = new Option<string?>("--to") { Description = "The end (ISO, exclusive); default: now." };
        var byModel = new Option<bool>("--by-model") { Description = "One row per model." };
        var format = new Option<string>("--format") { Description = "table (the default), json or csv.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "csv");
        var command = new Command("report", "A usage report over a range: a table, or the library's JSON or CSV report for spreadsheets and scripts.") { key, granularity, from, to, byModel, format };
        globals.SetAction(command, async (parsed, scope) =>
        {
            var (start, end) = Range(scope, parsed.GetValue(from), parsed.GetValue(to));
            KeyReference? only = parsed.GetValue(key) is { } text
                ? KeyReference.TryParse(text, out var reference) ? reference : throw new CliConfigurationException($"'{text}' (--key) is not a managed key: write it as provider/name.")
                : null;
            var report = await scope.Get<IUsageQuery>().GetReportAsync(start, end, parsed.GetValue(granularity), only, parsed.GetValue(byModel), scope.CancellationToken).ConfigureAwait(false);
            var chosen = scope.Output.Json ? "json" : parsed.GetValue(format);
            switch (chosen)
            {
                case "csv":
                    report.WriteCsv(scope.Context.Output);
                    break;
                case "json":
                    await scope.Context.Output.WriteLineAsync(report.ToJson()).ConfigureAwait(false);
                    break;
                default:
                    scope.Output.Console.Write(CliOutput.Table(
                        ["Key", "From", "Model", "Requests", "Errors", "Input tokens", "Output tokens", $"Cost ({report.Currency})"],
                        report.Rows.Select(r => new[] { r.Key.ToString(), Show.Time(r.WindowStart), r.Model, Number(r.Requests), Number(r.Errors), Number(r.InputTokens), Number(r.OutputTokens), Money(r.Cost) })));
                    scope.Output.Console.WriteLine($"{report.Rows.Count} row(s), {Show.Time(report.From)} to {Show.Time(report.To)}.");
                    break;
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>A window's usage summed over the store's rows.</summary>
    private sealed record StoredUsage(long Requests, long Errors, long InputTokens, long OutputTokens, decimal Cost, long UnpricedRequests)
    {
        public static StoredUsage Sum(IEnumerable<UsageAggregate> rows)
        {
            var list = rows.ToList();
            return new(list.Sum(r => r.Requests), list.Sum(r => r.Errors), list.Sum(r => r.InputTokens), list.Sum(r => r.OutputTokens), list.Sum(r => r.Cost), list.Sum(r => r.UnpricedRequests));
        }

        public decimal ValueOf(UsageMetric metric) => metric switch
        {
            UsageMetric.Requests => Requests,
            UsageMetric.Tokens => InputTokens + OutputTokens,
            UsageMetric.InputTokens => InputTokens,
            UsageMetric.OutputTokens => OutputTokens,
            _ => Cost,
        };
    }

    private static object Aggregate(UsageAggregate a) => new { windowStart = a.WindowStart, model = a.Model, requests = a.Requests, errors = a.Errors, inputTokens = a.InputTokens, outputTokens = a.OutputTokens, totalTokens = a.TotalTokens, cost = a.Cost, unpricedRequests = a.UnpricedRequests };

    private static (Instant Start, Instant End) Range(CommandScope scope, string? from, string? to)
    {
        var now = scope.Get<IClock>().GetCurrentInstant();
        var end = to is null ? now : ParseInstant(to, "--to");
        var start = from is null ? end - Duration.FromDays(30) : ParseInstant(from, "--from");
        return start < end ? (start, end) : throw new CliConfigurationException($"--from ({start}) must be before --to ({end}).");
    }

    private static Instant ParseInstant(string text, string option)
    {
        var result = InstantPattern.ExtendedIso.Parse(text);
        return result.Success ? result.Value : throw new CliConfigurationException($"'{text}' ({option}) is not an ISO instant such as 2026-12-01T00:00:00Z.");
    }

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Money(decimal value) => value.ToString("0.00####", CultureInfo.InvariantCulture);
}
