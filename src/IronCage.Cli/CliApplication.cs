using System.CommandLine;
using IronCage.Cli.Commands;
using IronCage.Cli.Hosting;
using IronCage.Cli.Output;
using Microsoft.Extensions.Options;

namespace IronCage.Cli;

/// <summary>The <c>ironcage</c> command tree and what a run does with it: parse, start the host, act, map the outcome to an exit code.</summary>
internal static class CliApplication
{
    /// <summary>Runs the tool once.</summary>
    /// <returns>The exit code (see <see cref="ExitCodes"/>).</returns>
    public static async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var globals = new CliGlobals(context);
        var root = new RootCommand("IronCage: manage LLM provider API keys over the store a host uses. Secrets are read from standard input or a file, never from the command line, and never printed.");
        foreach (var option in globals.All)
        {
            root.Add(option);
        }

        root.Add(KeysCommands.Build(globals));
        root.Add(PlanCommand.Build(globals));
        root.Add(RotationsCommands.Build(globals));
        root.Add(UsageCommands.Build(globals));
        root.Add(AuditCommands.Build(globals));
        root.Add(ImportCommand.Build(globals));
        root.Add(DoctorCommand.Build(globals));
        root.Add(MasterKeyCommands.Build(globals));
        root.Add(BackupCommands.Build(globals));
        root.Add(ScanCommand.Build(globals));
        root.Add(CompletionCommand.Build(context));

        var parsed = root.Parse(context.Args);
        // A completion request ([suggest:N] "partial line") is answered even though the partial line does not parse.
        var completing = context.Args.Count != 0 && context.Args[0].StartsWith("[suggest", StringComparison.Ordinal);
        if (parsed.Errors.Count != 0 && !completing)
        {
            foreach (var error in parsed.Errors)
            {
                await context.Error.WriteLineAsync("error: " + error.Message).ConfigureAwait(false);
            }

            await context.Error.WriteLineAsync("Run 'ironcage --help' (or the command with --help) for usage.").ConfigureAwait(false);
            return ExitCodes.UsageError;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = context.Output, Error = context.Error, EnableDefaultExceptionHandler = false }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs one command's action inside a started host and turns what it throws into an exit code and a message on
    /// standard error: configuration problems exit 2, everything IronCage or a provider refused exits 1.
    /// </summary>
    public static async Task<int> RunActionAsync(CliGlobals globals, ParseResult parsed, Func<CommandScope, Task<int>> action, bool stopOnFailedChecks, CancellationToken cancellationToken)
    {
        var context = globals.Context;
        var output = new CliOutput(context, parsed.GetValue(globals.Json));
        try
        {
            var settings = globals.Settings(parsed);
            using var host = await CliHost.StartAsync(context, settings, stopOnFailedChecks, cancellationToken).ConfigureAwait(false);
            try
            {
                return await action(new CommandScope(context, output, host.Services, CliHost.Actor(context, settings), cancellationToken)).ConfigureAwait(false);
            }
            finally
            {
                await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (CliConfigurationException exception)
        {
            output.Error(exception.Message);
            return ExitCodes.UsageError;
        }
        catch (OptionsValidationException exception)
        {
            output.Error("The configuration is not valid: " + string.Join(" ", exception.Failures));
            return ExitCodes.UsageError;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.Error("Cancelled. A rotation that was under way is recorded step by step; `ironcage rotations list --active` shows it and `ironcage rotations resume` continues it.");
            return ExitCodes.Failure;
        }
        catch (IronCageException exception)
        {
            output.Error(exception.Message);
            return ExitCodes.Failure;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidOperationException or TimeoutException or System.Data.Common.DbException)
        {
            output.Error($"{exception.Message} ({exception.GetType().Name})");
            return ExitCodes.Failure;
        }
    }
}
