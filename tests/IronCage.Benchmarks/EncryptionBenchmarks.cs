using BenchmarkDotNet.Attributes;
using IronCage.Encryption;
using Microsoft.Extensions.Options;

namespace IronCage.Benchmarks;

/// <summary>Seal and open of one secret with AES-256-GCM envelope encryption under a local master key.</summary>
[MemoryDiagnoser]
public class EncryptionBenchmarks : IDisposable
{
    private static readonly SecretBinding Binding = new(KeyReference.Parse("openai/prod"), "kv_0123456789abcdef0123456789abcdef");
    private LocalMasterKeyProvider _kek = null!;
    private EnvelopeSecretProtector _protector = null!;
    private SecretValue _secret = null!;
    private EncryptedSecret _sealed = null!;

    [GlobalSetup]
    public void Setup()
    {
        _kek = new LocalMasterKeyProvider(Options.Create(new LocalMasterKeyOptions { MasterKey = LocalMasterKeyProvider.GenerateMasterKey() }));
        _protector = new EnvelopeSecretProtector(_kek);
        _secret = SecretValue.FromString("sk-proj-" + new string('a', 74) + "T3BlbkFJ" + new string('b', 74));
        _sealed = _protector.SealAsync(_secret, Binding).AsTask().GetAwaiter().GetResult();
    }

    [Benchmark]
    public EncryptedSecret Seal() => _protector.SealAsync(_secret, Binding).AsTask().GetAwaiter().GetResult();

    [Benchmark]
    public int Open()
    {
        using var opened = _protector.OpenAsync(_sealed, Binding).AsTask().GetAwaiter().GetResult();
        return opened.Length;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _secret.Dispose();
        _kek.Dispose();
        GC.SuppressFinalize(this);
    }
}
