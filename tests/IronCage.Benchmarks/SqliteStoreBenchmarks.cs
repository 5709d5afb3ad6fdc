using IronCage.Storage;
using IronCage.Storage.Sqlite;

namespace IronCage.Benchmarks;

/// <summary>The SQLite key store in a temporary file (see <see cref="KeyStoreBenchmarks"/>).</summary>
public class SqliteStoreBenchmarks : KeyStoreBenchmarks
{
    private string _folder = null!;
    private SqliteKeyStore _store = null!;

    protected override IKeyStore OpenStore()
    {
        _folder = Path.Combine(Path.GetTempPath(), "ironcage-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        _store = new SqliteKeyStore(new SqliteStoreOptions { ConnectionString = $"Data Source={Path.Combine(_folder, "bench.db")}" });
        return _store;
    }

    protected override void CloseStore()
    {
        _store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
