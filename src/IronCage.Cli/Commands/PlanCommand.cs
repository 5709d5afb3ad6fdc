using System.CommandLine;
using IronCage.Cli.Output;
using IronCage.Rotation;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;

namespace IronCage.Cli.Commands;

/// <summary><c>ironcage plan</c>: the dry run — what would rotate, when, and by which strategy. Nothing changes.</summary>
internal static class PlanCommand
{
    public static Command Build(CliGlobals globals)
    {
        var at = new Option<string?>("--at") { Description = "Plan as of this instant (ISO, for example 2027-01-01T00:00:00Z); default: now." };
        var dueOnly = new Option<bool>("--due") { Description = "Only what is due." };
        var command = new Command("plan", "Show what would rotate, when and how (a dry run: nothing changes).") { at, dueOnly };
        globals.SetAction(command, async (parsed, scope) =>
        {
            var now = scope.Get<IClock>().GetCurrentInstant();
            if (parsed.GetValue(at) is { } text)
            {
                var result = InstantPattern.ExtendedIso.Parse(text);
                now = result.Success ? result.Value : throw new Hosting.CliConfigurationException($"'{text}' (--at) is not an ISO instant such as 2027-01-01T00:00:00Z.");
            }

            var plan = await scope.Get<IKeyRotator>().PlanAsync(now, scope.CancellationToken).ConfigureAwait(false);
            var items = (parsed.GetValue(dueOnly) ? plan.Due : plan.Items)
                .Select(p => new { key = p.Key.ToString(), action = p.Action.ToString(), tier = p.Tier.ToString(), due = p.IsDue, dueAt = p.DueAt, detail = p.Detail })
                .ToList();
            scope.Output.Write(new { now = plan.Now, items }, console =>
            {
                console.Write(CliOutput.Table(
                    ["Key", "Action", "Tier", "Due", "Due at", "Detail"],
                    items.Select(i => new[] { i.key, i.action, i.tier, i.due ? "yes" : "no", Show.Time(i.dueAt), i.detail })));
                console.WriteLine($"{items.Count(i => i.due)} of {items.Count} due as of {Show.Time(plan.Now)}.");
            });
            return ExitCodes.Ok;
        });
        return command;
    }
}
