using System.CommandLine;
using IronCage.Cli.Hosting;
using IronCage.Cli.Output;
using IronCage.Rotation;
using Spectre.Console;

namespace IronCage.Cli.Commands;

/// <summary><c>ironcage rotations …</c>: rotation operations, their steps, and resuming or cancelling them.</summary>
internal static class RotationsCommands
{
    public static Command Build(CliGlobals globals)
    {
        var rotations = new Command("rotations", "List, show, resume and cancel rotation operations.");
        rotations.Add(List(globals));
        rotations.Add(ShowOperation(globals));
        rotations.Add(Resume(globals));
        rotations.Add(Cancel(globals));
        return rotations;
    }

    private static Command List(CliGlobals globals)
    {
        var key = new Option<string?>("--key") { Description = "Every operation of this key (provider/name), finished ones too; default: the unfinished operations of every key." };
        var command = new Command("list", "List rotation operations: unfinished ones, or every one of a key.") { key };
        globals.SetAction(command, async (parsed, scope) =>
        {
            var store = scope.Get<IRotationStore>();
            var operations = new List<OperationView>();
            var source = parsed.GetValue(key) is { } text
                ? store.ListForKeyAsync(KeyReference.TryParse(text, out var reference) ? reference : throw new CliConfigurationException($"'{text}' (--key) is not a managed key: write it as provider/name."), scope.CancellationToken)
                : store.ListActiveAsync(scope.CancellationToken);
            await foreach (var operation in source.ConfigureAwait(false))
            {
                operations.Add(OperationView.From(operation));
            }

            operations.Sort((a, b) => b.RequestedAt.CompareTo(a.RequestedAt));
            scope.Output.Write(new { operations, total = operations.Count }, console =>
            {
                console.Write(CliOutput.Table(
                    ["Operation", "Key", "Kind", "Reason", "Step", "Requested", "By", "Last error"],
                    operations.Select(o => new[] { o.OperationId, o.Key, o.Kind, o.Reason, o.Step, Show.Time(o.RequestedAt), o.RequestedBy, o.LastError })));
                console.WriteLine($"{operations.Count} operation(s).");
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command ShowOperation(CliGlobals globals)
    {
        var id = new Argument<string>("operation") { Description = "The operation id (see `ironcage rotations list`)." };
        var command = new Command("show", "Show one rotation operation.") { id };
        globals.SetAction(command, async (parsed, scope) =>
        {
            var operationId = parsed.GetValue(id)!;
            var operation = await scope.Get<IKeyRotator>().GetOperationAsync(operationId, scope.CancellationToken).ConfigureAwait(false)
                ?? throw new CliConfigurationException($"No rotation operation '{operationId}' in this store; `ironcage rotations list` shows the unfinished ones.");
            return KeysCommands.WriteOperation(scope, operation);
        });
        return command;
    }

    private static Command Resume(CliGlobals globals)
    {
        var id = new Argument<string>("operation") { Description = "The operation id." };
        var command = new Command("resume", "Continue an unfinished rotation from the step it stopped at.") { id };
        globals.SetAction(command, async (parsed, scope) =>
        {
            var operation = await scope.Get<IKeyRotator>().ResumeAsync(parsed.GetValue(id)!, scope.CancellationToken).ConfigureAwait(false);
            return KeysCommands.WriteOperation(scope, operation);
        });
        return command;
    }

    private static Command Cancel(CliGlobals globals)
    {
        var key = KeyArgument.Create();
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation." };
        var command = new Command("cancel", "Cancel a key's unfinished rotation (before promotion it is rolled back; the current key stays).") { key, yes };
        globals.SetAction(command, async (parsed, scope) =>
        {
            var reference = parsed.GetValue(key);
            if (!scope.Confirm($"Cancel the unfinished rotation of {reference}?", parsed.GetValue(yes)))
            {
                scope.Output.Line("Nothing was changed.");
                return ExitCodes.Ok;
            }

            var operation = await scope.Get<IKeyRotator>().CancelAsync(reference, scope.Request(), scope.CancellationToken).ConfigureAwait(false);
            KeysCommands.WriteOperation(scope, operation);
            return ExitCodes.Ok;
        });
        return command;
    }
}
