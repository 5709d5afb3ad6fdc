using BenchmarkDotNet.Attributes;
using IronCage.Storage.PostgreSql;
using IronCage.Storage.PostgreSql.Tests;
using NodaTime;

namespace IronCage.Benchmarks;

/// <summary>
/// The PostgreSQL key store on a throwaway local cluster: reading one managed key with its versions (what a resolver
/// cache miss costs), and loading 10,000 keys (what a start-up does). The same shape as <see cref="SqliteStoreBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class PostgreSqlStoreBenchmarks : IDisposable
{
    private PostgresCluster _cluster = null!;
    private PostgreSqlKeyStore _store = null!;
    private KeyReference _one;

    [GlobalSetup]
    public void Setup()
    {
        _cluster = PostgresCluster.StartNewAsync().GetAwaiter().GetResult();
        _store = new PostgreSqlKeyStore(new PostgreSqlStoreOptions { ConnectionString = _cluster.CreateDatabase("ironcage_bench") });
        var now = Instant.FromUtc(2026, 11, 1, 0, 0);
        Parallel.For(0, 10_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var reference = new KeyReference(ProviderId.OpenAI, "key-" + i);
            _store.CreateAsync(new ManagedKey
            {
                Reference = reference,
                CreatedAt = now,
                Versions =
                [
                    new KeyVersion
                    {
                        VersionId = KeyVersion.NewVersionId(),
                        ProviderKeyId = "key_" + i,
                        Stage = KeyStage.Current,
                        CreatedAt = now,
                        ActivatedAt = now,
                        DisplayHint = "sk-…abcd",
                        Fingerprint = "fp1.local-0011223344556677.abcdefghijklmnopqrstuv",
                        Secret = new EncryptedSecret { KeyEncryptionKeyId = "local-0011223344556677", WrappedDataKey = new byte[60], Nonce = new byte[12], Ciphertext = new byte[180] },
                    },
                ],
            }).AsTask().GetAwaiter().GetResult();
        });
        _one = new KeyReference(ProviderId.OpenAI, "key-5000");
    }

    [Benchmark]
    public async Task<ManagedKey> ReadOneKey() => await _store.GetAsync(_one);

    [Benchmark]
    public async Task<int> Load10000Keys()
    {
        var count = 0;
        await foreach (var key in _store.ListAsync())
        {
            count += key.Versions.Count;
        }

        return count;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _store.Dispose();
        _cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }
}
