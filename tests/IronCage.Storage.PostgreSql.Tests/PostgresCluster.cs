using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace IronCage.Storage.PostgreSql.Tests;

/// <summary>
/// A throwaway PostgreSQL cluster: <c>initdb</c> in a temp folder, <c>pg_ctl start</c> on a free loopback port (as the
/// <c>postgres</c> OS user when running as root), stopped and started again on demand (for outage tests), and stopped
/// and deleted on dispose. No test-framework dependency, so the benchmarks link this file too.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private static readonly Lazy<string?> Bin = new(FindBinDirectory);
    private readonly string _folder;
    private readonly int _port;
    private int _next;

    private PostgresCluster(string folder, int port)
    {
        _folder = folder;
        _port = port;
        AdminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false";
    }

    /// <summary>Gets the folder with <c>initdb</c> and <c>pg_ctl</c>, or <see langword="null"/> when PostgreSQL is not installed.</summary>
    public static string? BinDirectory => Bin.Value;

    /// <summary>Gets a connection string to the cluster's <c>postgres</c> database as superuser, without pooling.</summary>
    public string AdminConnectionString { get; }

    private string DataFolder => Path.Combine(_folder, "data");

    private static bool AsRoot => Environment.UserName == "root";

    /// <summary>Creates and starts a new cluster.</summary>
    public static async Task<PostgresCluster> StartNewAsync()
    {
        var bin = BinDirectory ?? throw new InvalidOperationException("PostgreSQL is not installed (initdb and pg_ctl on PATH or in /usr/lib/postgresql/*/bin).");
        var folder = Path.Combine(Path.GetTempPath(), "ironcage-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        var cluster = new PostgresCluster(folder, FreePort());
        if (AsRoot)
        {
            await cluster.RunAsync($"chown postgres:postgres '{folder}'", asPostgres: false);
        }

        await cluster.RunAsync($"'{bin}/initdb' -D '{cluster.DataFolder}' -A trust -U postgres -E UTF8 --locale=C --no-sync", AsRoot);
        await cluster.StartAsync();
        return cluster;
    }

    /// <summary>Starts the (stopped) cluster again, on the same port and data.</summary>
    public Task StartAsync()
    {
        var settings = $"-p {_port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300";
        return RunAsync($"'{BinDirectory}/pg_ctl' start -w -t 60 -D '{DataFolder}' -l '{_folder}/server.log' -o '{settings}'", AsRoot);
    }

    /// <summary>Stops the cluster: <c>fast</c> rolls back open transactions and closes every session; <c>immediate</c> is a crash.</summary>
    public Task StopAsync(string mode = "fast")
        => RunAsync($"'{BinDirectory}/pg_ctl' stop -D '{DataFolder}' -m {mode} -w -t 60", AsRoot);

    /// <summary>Creates a new, empty database and returns its (pooled) connection string.</summary>
    public string CreateDatabase(string prefix = "ironcage")
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _next)}");
        using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
            command.ExecuteNonQuery();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await StopAsync("immediate");
        }
        catch (InvalidOperationException)
        {
            // Stopped already (an outage test left it down).
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
            var logFile = Path.Combine(_folder, "server.log");
            var log = File.Exists(logFile) ? await File.ReadAllTextAsync(logFile) : string.Empty;
            throw new InvalidOperationException($"'{command}' failed with exit code {process.ExitCode}: {text}\n{log}");
        }
    }
}
