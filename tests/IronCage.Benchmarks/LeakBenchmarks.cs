using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Leaks.Egress;
using IronCage.Leaks.Scanning;
using IronCage.Providers;
using IronCage.Storage;
using IronCage.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Benchmarks;

/// <summary>
/// Leak scanning throughput over a generated 100 MB corpus of mixed text and code (one thread; MB/s = 100 / mean
/// seconds), with a key every ~64 KB.
/// </summary>
[MemoryDiagnoser]
public class LeakScanBenchmarks
{
    private const int CorpusBytes = 100 * 1024 * 1024;
    private byte[] _corpus = [];
    private LeakScanner _scanner = null!;

    [GlobalSetup]
    public void Setup()
    {
        _scanner = new LeakScanner(ProviderCatalog.BuiltIn, new HmacSecretFingerprinter("bench", RandomNumberGenerator.GetBytes(32)));
        string[] lines =
        [
            "public static async Task<int> ComputeAsync(int value, CancellationToken cancellationToken) => value * 31 + 7;",
            "The quick brown fox jumps over the lazy dog; Mistral and Together are mentioned in prose here.",
            "{\"id\":\"3f2504e0-4f89-11d3-9a0c-0305e82c3301\",\"sha\":\"9fceb02d0ae598e95dc970b74767f19372d61af8\",\"ok\":true}",
            "!function(e,t){\"object\"==typeof exports?module.exports=t():e.lib=t()}(this,function(){return{a:1,b:[2,3]}});",
            "    <PackageReference Include=\"Microsoft.Extensions.Logging\" Version=\"10.0.0\" />",
            "2026-12-02T14:00:00Z INFO request completed in 12 ms status=200 path=/v1/chat/completions",
        ];
        var builder = new StringBuilder(CorpusBytes + 1024);
        var i = 0;
        while (builder.Length < CorpusBytes)
        {
            builder.Append(lines[i % lines.Length]).Append('\n');
            if (++i % 600 == 0)
            {
                builder.Append("OPENAI_API_KEY=").Append(FakeKeys.GenerateText(ProviderId.OpenAI)).Append('\n');
            }
        }

        _corpus = Encoding.ASCII.GetBytes(builder.ToString());
    }

    [Benchmark]
    public async Task<int> Scan100MB()
    {
        var count = 0;
        await foreach (var _ in _scanner.ScanStreamAsync(new MemoryStream(_corpus, writable: false)))
        {
            count++;
        }

        return count;
    }
}

/// <summary>What the egress guard adds to a request with a 4 KB body (no key in it), against no guard.</summary>
[MemoryDiagnoser]
public class LeakEgressGuardBenchmarks : IDisposable
{
    private LeakEgressGuard _guard = null!;
    private byte[] _body = [];

    [GlobalSetup]
    public async Task Setup()
    {
        var fingerprinter = new HmacSecretFingerprinter("bench", RandomNumberGenerator.GetBytes(32));
        var store = new InMemoryKeyStore();
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);
        await store.CreateAsync(new ManagedKey
        {
            Reference = new KeyReference(ProviderId.OpenAI, "prod"),
            Versions =
            [
                new KeyVersion
                {
                    VersionId = "kv_1",
                    Stage = KeyStage.Current,
                    CreatedAt = Instant.FromUtc(2026, 1, 1, 0, 0),
                    DisplayHint = secret.DisplayHint,
                    Fingerprint = fingerprinter.Compute(secret),
                    Secret = new EncryptedSecret { KeyEncryptionKeyId = "kek", WrappedDataKey = new byte[32], Nonce = new byte[12], Ciphertext = new byte[16] },
                },
            ],
        });
        _guard = new LeakEgressGuard(ProviderCatalog.BuiltIn, store, fingerprinter, new InMemoryAuditLog(), SystemClock.Instance, Options.Create(new LeakEgressGuardOptions()), NullLogger<LeakEgressGuard>.Instance);
        var text = new StringBuilder("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"");
        while (text.Length < 4000)
        {
            text.Append("Summarise the quarterly report and list the three largest risks with their owners. ");
        }

        _body = Encoding.UTF8.GetBytes(text.Append("\"}]}").ToString()[..4096]);
    }

    [Benchmark(Baseline = true)]
    public HttpRequestMessage NoGuard() => Request();

    [Benchmark]
    public async Task<HttpRequestMessage> WithGuard()
    {
        var request = Request();
        await _guard.EnsureAllowedAsync(request);
        return request;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _guard.Dispose();
        GC.SuppressFinalize(this);
    }

    private HttpRequestMessage Request() => new(HttpMethod.Post, "https://api.openai.com/v1/chat/completions") { Content = new ByteArrayContent(_body) };
}
