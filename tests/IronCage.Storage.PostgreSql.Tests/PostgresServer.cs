using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace IronCage.Storage.PostgreSql.Tests;

/// <summary>
/// The PostgreSQL server the tests run against: the one <c>IRONCAGE_TEST_POSTGRES</c> (a connection string with the
/// right to create databases) names, or else a throwaway cluster started with <c>initdb</c>/<c>pg_ctl</c> in a temp
/// folder on a free loopback port (as the <c>postgres</c> OS user when the tests run as root), stopped and deleted at
/// the end. Each store gets a database of its own.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string EnvironmentVariable = "IRONCAGE_TEST_POSTGRES";

    private static readonly Lazy<string?> BinDirectory = new(FindBinDirectory);
    private readonly List<string> _databases = [];
    private string? _folder;
    private int _next;

    /// <summary>Gets why the PostgreSQL tests cannot run here, or <see langword="null"/> when they can (decided without starting anything).</summary>
    public static string? SkipReason =>
        !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EnvironmentVariable)) || BinDirectory.Value is not null
            ? null
            : $"No PostgreSQL server: set {EnvironmentVariable} to a connection string, or install PostgreSQL (initdb and pg_ctl on PATH or in /usr/lib/postgresql/*/bin).";

    public string AdminConnectionString { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            AdminConnectionString = external;
            return;
        }

        var bin = BinDirectory.Value ?? throw new InvalidOperationException(SkipReason);
        _folder = Path.Combine(Path.GetTempPath(), "ironcage-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_folder);
        var data = Path.Combine(_folder, "data");
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            await RunAsync($"chown postgres:postgres '{_folder}'", asPostgres: false);
        }

        await RunAsync($"'{bin}/initdb' -D '{data}' -A trust -U postgres -E UTF8 --locale=C --no-sync", asRoot);
        var port = FreePort();
        var settings = $"-p {port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
        await RunAsync($"'{bin}/pg_ctl' start -w -t 60 -D '{data}' -l '{_folder}/server.log' -o '{settings}'", asRoot);
        AdminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false";
    }

    /// <summary>Creates a new, empty database and returns its connection string.</summary>
    public string CreateDatabase()
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"ironcage_test_{Environment.ProcessId}_{Interlocked.Increment(ref _next)}");
        using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
            command.ExecuteNonQuery();
        }

        lock (_databases)
        {
            _databases.Add(name);
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_folder is null)
        {
            // An external server: drop what the tests created.
            await using var connection = new NpgsqlConnection(AdminConnectionString);
            await connection.OpenAsync();
            foreach (var name in _databases)
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE);", connection);
                await drop.ExecuteNonQueryAsync();
            }

            return;
        }

        try
        {
            await RunAsync($"'{BinDirectory.Value}/pg_ctl' stop -D '{Path.Combine(_folder, "data")}' -m immediate -w -t 60", Environment.UserName == "root");
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static string? FindBinDirectory()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).ToList();
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d, StringComparer.Ordinal).Select(d => Path.Combine(d, "bin")));
        }

        foreach (var directory in candidates)
        {
            var initdb = Path.Combine(directory, "initdb");
            if (File.Exists(initdb) && File.Exists(Path.Combine(directory, "pg_ctl")))
            {
                // Through symlinks (/usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb): the folder with postgres itself.
                var target = new FileInfo(initdb).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initdb;
                return Path.GetDirectoryName(target);
            }
        }

        return null;
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>Runs a shell command with its output in a file (no pipes a daemonised postgres could keep open); throws with that output when it fails.</summary>
    private async Task RunAsync(string command, bool asPostgres)
    {
        var output = Path.Combine(Path.GetTempPath(), "ironcage-pg-cmd-" + Guid.NewGuid().ToString("N") + ".log");
        var script = $"{command} > '{output}' 2>&1";
        var start = asPostgres
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", "/bin/sh", "-c", script])
            : new ProcessStartInfo("/bin/sh", ["-c", script]);
        start.UseShellExecute = false;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + command);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        var text = File.Exists(output) ? await File.ReadAllTextAsync(output) : string.Empty;
        File.Delete(output);
        if (process.ExitCode != 0)
        {
            var log = _folder is not null && File.Exists(Path.Combine(_folder, "server.log")) ? await File.ReadAllTextAsync(Path.Combine(_folder, "server.log")) : string.Empty;
            throw new InvalidOperationException($"'{command}' failed with exit code {process.ExitCode}: {text}\n{log}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}

/// <summary>A fact that is skipped, with the reason, when no PostgreSQL server can be had (decided at discovery).</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
