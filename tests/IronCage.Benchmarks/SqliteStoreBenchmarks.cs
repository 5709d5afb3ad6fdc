using BenchmarkDotNet.Attributes;
using IronCage.Storage.Sqlite;
using NodaTime;

namespace IronCage.Benchmarks;

/// <summary>The SQLite key store: reading one managed key with its versions, and loading 10,000 keys (what a start-up does).</summary>
[MemoryDiagnoser]
public class SqliteStoreBenchmarks : IDisposable
{
    private string _folder = null!;
    private SqliteKeyStore _store = null!;
    private KeyReference _one;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "ironcage-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        _store = new SqliteKeyStore(new SqliteStoreOptions { ConnectionString = $"Data Source={Path.Combine(_folder, "bench.db")}" });
        var now = Instant.FromUtc(2026, 11, 1, 0, 0);
        for (var i = 0; i < 10_000; i++)
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
            if (i == 5_000)
            {
                _one = reference;
            }
        }
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
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        GC.SuppressFinalize(this);
    }
}
