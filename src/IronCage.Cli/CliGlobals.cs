using System.CommandLine;
using IronCage.Cli.Commands;
using IronCage.Cli.Hosting;

namespace IronCage.Cli;

/// <summary>The options every command takes, and the run's context.</summary>
internal sealed class CliGlobals
{
    public CliGlobals(CliContext context) => Context = context;

    public CliContext Context { get; }

    public Option<string?> Connection { get; } = new("--connection")
    {
        Description = "The store's connection string (SQLite 'Data Source=…' or PostgreSQL 'Host=…'); default: IronCage:ConnectionString from appsettings.json or IronCage__ConnectionString.",
        Recursive = true,
    };

    public Option<string?> Store { get; } = new("--store")
    {
        Description = "sqlite or postgresql; default: told from the connection string.",
        Recursive = true,
    };

    public Option<string?> Config { get; } = new("--config")
    {
        Description = "The host's settings file; default: appsettings.json in the current directory, when there is one.",
        Recursive = true,
    };

    public Option<string?> MasterKeyFile { get; } = new("--master-key-file")
    {
        Description = "A file holding the store's base64 master key; default: IRONCAGE_MASTER_KEY_FILE, else the key in IRONCAGE_MASTER_KEY.",
        Recursive = true,
    };

    public Option<string?> Actor { get; } = new("--actor")
    {
        Description = "Who the audit trail records as acting; default: cli: and your user name.",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Write the result as JSON on standard output, for scripts.",
        Recursive = true,
    };

    public IEnumerable<Option> All => [Connection, Store, Config, MasterKeyFile, Actor, Json];

    public CliSettings Settings(ParseResult parsed)
        => new(parsed.GetValue(Connection), parsed.GetValue(Store), parsed.GetValue(Config), parsed.GetValue(MasterKeyFile), parsed.GetValue(Actor));

    /// <summary>Sets <paramref name="action"/> as what <paramref name="command"/> does, run inside a started host.</summary>
    /// <param name="command">The command.</param>
    /// <param name="action">What it does.</param>
    /// <param name="stopOnFailedChecks">Whether the host's start-up checks may stop the run (not for <c>doctor</c>, which reports them).</param>
    public void SetAction(Command command, Func<ParseResult, CommandScope, Task<int>> action, bool stopOnFailedChecks = true)
        => command.SetAction((parsed, cancellationToken) => CliApplication.RunActionAsync(this, parsed, scope => action(parsed, scope), stopOnFailedChecks, cancellationToken));
}
