using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace IronCage.Benchmarks;

/// <summary>
/// The floor under <see cref="EncryptionBenchmarks"/>: one AES-256-GCM encryption of a 164-byte secret with a ready
/// <see cref="AesGcm"/> instance, the same with a new instance (a key schedule and a native context per call, which a
/// fresh data key per secret needs), and one 32-byte random read.
/// </summary>
[MemoryDiagnoser]
public class AesGcmBaselineBenchmarks : IDisposable
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly byte[] _nonce = RandomNumberGenerator.GetBytes(12);
    private readonly byte[] _plaintext = RandomNumberGenerator.GetBytes(164);
    private readonly byte[] _ciphertext = new byte[164];
    private readonly byte[] _tag = new byte[16];
    private readonly byte[] _random = new byte[44];
    private AesGcm _ready = null!;

    [GlobalSetup]
    public void Setup() => _ready = new AesGcm(_key, 16);

    [Benchmark(Baseline = true)]
    public byte EncryptWithReadyInstance()
    {
        _ready.Encrypt(_nonce, _plaintext, _ciphertext, _tag);
        return _tag[0];
    }

    [Benchmark]
    public byte EncryptWithNewInstance()
    {
        using var aes = new AesGcm(_key, 16);
        aes.Encrypt(_nonce, _plaintext, _ciphertext, _tag);
        return _tag[0];
    }

    [Benchmark]
    public byte FillRandom()
    {
        RandomNumberGenerator.Fill(_random);
        return _random[0];
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _ready.Dispose();
        GC.SuppressFinalize(this);
    }
}
