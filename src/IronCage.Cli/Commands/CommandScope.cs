using IronCage.Cli.Hosting;
using IronCage.Cli.Output;
using IronCage.Rotation;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace IronCage.Cli.Commands;

/// <summary>What a command's action works with: the started host's services, the output, and who is acting.</summary>
internal sealed class CommandScope
{
    public CommandScope(CliContext context, CliOutput output, IServiceProvider services, string actor, CancellationToken cancellationToken)
    {
        Context = context;
        Output = output;
        Services = services;
        Actor = actor;
        CancellationToken = cancellationToken;
    }

    public CliContext Context { get; }

    public CliOutput Output { get; }

    public IServiceProvider Services { get; }

    /// <summary>Gets who the audit trail records as acting.</summary>
    public string Actor { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>A request attributed to the acting operator.</summary>
    public RotationRequest Request(string? note = null) => new() { Actor = Actor, Note = note };

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>
    /// Asks before a destructive change: <paramref name="yes"/> (<c>--yes</c>) skips the question; without a person at
    /// the terminal the question cannot be asked and the command stops unchanged.
    /// </summary>
    /// <exception cref="CliConfigurationException">No terminal to ask and <c>--yes</c> not given.</exception>
    public bool Confirm(string question, bool yes)
    {
        if (yes)
        {
            return true;
        }

        if (!Context.InputIsTerminal || !Context.OutputIsTerminal)
        {
            throw new CliConfigurationException($"{question} Nothing was changed: there is no terminal to confirm at; pass --yes to confirm.");
        }

        return Output.Console.Confirm(question, defaultValue: false);
    }
}
