using IronCage.Storage;
using IronCage.Storage.PostgreSql;
using IronCage.Storage.PostgreSql.Tests;

namespace IronCage.Benchmarks;

/// <summary>The PostgreSQL key store on a throwaway local cluster (see <see cref="KeyStoreBenchmarks"/>).</summary>
public class PostgreSqlStoreBenchmarks : KeyStoreBenchmarks
{
    private PostgresCluster _cluster = null!;
    private PostgreSqlKeyStore _store = null!;

    protected override int SeedParallelism => 8;

    protected override IKeyStore OpenStore()
    {
        _cluster = PostgresCluster.StartNewAsync().GetAwaiter().GetResult();
        _store = new PostgreSqlKeyStore(new PostgreSqlStoreOptions { ConnectionString = _cluster.CreateDatabase("ironcage_bench") });
        return _store;
    }

    protected override void CloseStore()
    {
        _store.Dispose();
        _cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
