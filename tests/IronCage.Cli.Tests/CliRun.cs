using System.Security.Cryptography;
using IronCage.Cli;

namespace IronCage.Cli.Tests;

/// <summary>One run of the tool in this process: its exit code and everything it wrote.</summary>
internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public string All => Output + Error;
}

/// <summary>A temporary working directory with a SQLite store and a master key, and a way to run the tool in it.</summary>
internal sealed class CliSandbox : IDisposable
{
    public CliSandbox()
    {
        Directory = Path.Combine(Path.GetTempPath(), "ironcage-cli-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        MasterKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        Environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["IRONCAGE_MASTER_KEY"] = MasterKey,
            ["IronCage__ConnectionString"] = ConnectionString,
            ["USER"] = "operator",
        };
    }

    public string Directory { get; }

    public string MasterKey { get; }

    public string DatabasePath => Path.Combine(Directory, "ironcage.db");

    public string ConnectionString => $"Data Source={DatabasePath}";

    /// <summary>The environment the next runs see (the master key and the store by default).</summary>
    public Dictionary<string, string> Environment { get; }

    public async Task<CliResult> RunWithInputAsync(string input, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext(args, new StringReader(input), output, error, Environment, Directory, InputIsTerminal: false, OutputIsTerminal: false);
        var code = await CliApplication.RunAsync(context, CancellationToken.None);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    public Task<CliResult> RunAsync(params string[] args) => RunWithInputAsync(string.Empty, args);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
