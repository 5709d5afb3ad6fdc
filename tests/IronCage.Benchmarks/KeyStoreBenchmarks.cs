using BenchmarkDotNet.Attributes;
using IronCage.Encryption;
using IronCage.Storage;
using NodaTime;

namespace IronCage.Benchmarks;

/// <summary>
/// What a durable key store costs on the runtime path: reading one managed key with its versions (a resolver cache
/// miss), and loading 10,000 keys (a start-up). Each store subclasses it with how to open and close itself.
/// </summary>
[MemoryDiagnoser]
public abstract class KeyStoreBenchmarks : IDisposable
{
    private const int KeyCount = 10_000;
    private static readonly KeyReference One = new(ProviderId.OpenAI, "key-5000");
    private IKeyStore _store = null!;

    [GlobalSetup]
    public void Setup()
    {
        _store = OpenStore();
        var now = Instant.FromUtc(2026, 11, 1, 0, 0);
        Parallel.For(0, KeyCount, new ParallelOptions { MaxDegreeOfParallelism = SeedParallelism }, i =>
            _store.CreateAsync(Placeholder(i, now)).AsTask().GetAwaiter().GetResult());
    }

    [Benchmark]
    public async Task<ManagedKey> ReadOneKey() => await _store.GetAsync(One);

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
        CloseStore();
        GC.SuppressFinalize(this);
    }

    /// <summary>Gets how many keys are written at once while seeding (SQLite has one writer).</summary>
    protected virtual int SeedParallelism => 1;

    /// <summary>Opens an empty store.</summary>
    protected abstract IKeyStore OpenStore();

    /// <summary>Closes the store and removes what it left behind.</summary>
    protected abstract void CloseStore();

    // A stored key of realistic size; its ciphertext is filler, as nothing here decrypts it.
    private static ManagedKey Placeholder(int i, Instant now) => new()
    {
        Reference = new KeyReference(ProviderId.OpenAI, "key-" + i),
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
    };
}
