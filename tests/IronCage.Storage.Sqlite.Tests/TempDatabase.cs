using Microsoft.Data.Sqlite;

namespace IronCage.Storage.Sqlite.Tests;

/// <summary>A folder of its own under the system's temp folder for one test's database files; removed by <see cref="Delete"/>.</summary>
internal sealed class TempDatabase
{
    private int _files;

    public TempDatabase()
    {
        Folder = Path.Combine(Path.GetTempPath(), "ironcage-sqlite-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        FilePath = Path.Combine(Folder, "ironcage.db");
    }

    public string Folder { get; }

    /// <summary>Gets the test's main database file.</summary>
    public string FilePath { get; }

    public string ConnectionString => "Data Source=" + FilePath;

    public SqliteStoreOptions Options(bool applyMigrations = true) => new() { ConnectionString = ConnectionString, ApplyMigrations = applyMigrations };

    /// <summary>A connection string for another, new file in the folder (for suites that want a fresh database per store).</summary>
    public string NewConnectionString() => "Data Source=" + Path.Combine(Folder, $"store-{Interlocked.Increment(ref _files)}.db");

    /// <summary>A connection that bypasses the stores, for inspecting or damaging the file.</summary>
    public SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection(ConnectionString + ";Pooling=False");
        connection.Open();
        return connection;
    }

    public void Delete()
    {
        // Pooled connections keep the files open; let them go before deleting the folder.
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still held open elsewhere in the process is left for the OS to clean.
        }
    }
}
