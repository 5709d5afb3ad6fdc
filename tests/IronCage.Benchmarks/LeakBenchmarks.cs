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

/// <summary>
/// What the egress guard adds to sending a request with a 4 KB JSON body (no key in it, one managed OpenAI key): the
/// same handler pipeline with and without the guard, over a terminal handler that does what a transport does with
/// every request (reads the content headers and writes the body out).
/// </summary>
[MemoryDiagnoser]
public class LeakEgressGuardBenchmarks : IDisposable
{
    private static readonly Uri Target = new("https://api.openai.com/v1/chat/completions");
    private LeakEgressGuard _guard = null!;
    private HttpMessageInvoker _bare = null!;
    private HttpMessageInvoker _guarded = null!;
    private byte[] _body = [];

    /// <summary>
    /// Gets or sets how many keys are managed: one OpenAI key, or 100 over five providers, 20 of them Mistral keys
    /// without a prefix (20 distinct heads, which takes the decoded multi-string search).
    /// </summary>
    [Params(1, 100)]
    public int ManagedKeys { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        var fingerprinter = new HmacSecretFingerprinter("bench", RandomNumberGenerator.GetBytes(32));
        var store = new InMemoryKeyStore();
        ProviderId[] providers = [ProviderId.OpenAI, ProviderId.Anthropic, ProviderId.Groq, ProviderId.XAI, ProviderId.Mistral];
        for (var i = 1; i < ManagedKeys; i++)
        {
            var provider = providers[i % providers.Length];
            using var other = SecretValue.FromString(provider == ProviderId.Mistral ? Convert.ToHexString(RandomNumberGenerator.GetBytes(16)) : FakeKeys.GenerateText(provider));
            await store.CreateAsync(new ManagedKey
            {
                Reference = new KeyReference(provider, "k" + i),
                Versions =
                [
                    new KeyVersion
                    {
                        VersionId = "kv_" + i,
                        Stage = KeyStage.Current,
                        CreatedAt = Instant.FromUtc(2026, 1, 1, 0, 0),
                        DisplayHint = other.DisplayHint,
                        Fingerprint = fingerprinter.Compute(other),
                        Secret = new EncryptedSecret { KeyEncryptionKeyId = "kek", WrappedDataKey = new byte[32], Nonce = new byte[12], Ciphertext = new byte[16] },
                    },
                ],
            });
        }

        var value = FakeKeys.GenerateText(ProviderId.OpenAI);
        using var secret = SecretValue.FromString(value);
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
        while (text.Length < 4096 - 4)
        {
            text.Append("Summarise the quarterly report and list the three largest risks with their owners. ");
        }

        // Exactly 4 KB: the prose cut to length, then the JSON closed.
        _body = Encoding.UTF8.GetBytes(string.Concat(text.ToString(0, 4096 - 4), "\"}]}"));
        if (_body.Length != 4096)
        {
            throw new InvalidOperationException($"The body is {_body.Length} bytes, not 4096.");
        }

        _bare = new HttpMessageInvoker(new Transport(), disposeHandler: true);
        _guarded = new HttpMessageInvoker(new Guard(_guard) { InnerHandler = new Transport() }, disposeHandler: true);

        // The guard really guards: the same pipeline refuses a body carrying the managed key.
        try
        {
            using var leaked = await _guarded.SendAsync(new HttpRequestMessage(HttpMethod.Post, Target) { Content = new StringContent(value) }, CancellationToken.None);
            throw new InvalidOperationException("The guard let a managed key through; the benchmark would measure nothing.");
        }
        catch (LeakedKeyEgressException)
        {
        }
    }

    [Benchmark(Baseline = true)]
    public async Task<HttpResponseMessage> NoGuard() => await _bare.SendAsync(Request(), CancellationToken.None);

    [Benchmark]
    public async Task<HttpResponseMessage> WithGuard() => await _guarded.SendAsync(Request(), CancellationToken.None);

    [GlobalCleanup]
    public void Dispose()
    {
        _bare.Dispose();
        _guarded.Dispose();
        _guard.Dispose();
        GC.SuppressFinalize(this);
    }

    private HttpRequestMessage Request() => new(HttpMethod.Post, Target) { Content = new ByteArrayContent(_body) };

    // What AddLeakEgressGuard() puts on a client.
    private sealed class Guard(LeakEgressGuard guard) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await guard.EnsureAllowedAsync(request, cancellationToken);
            return await base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class Transport : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _ = request.Content!.Headers.ContentLength;
            await request.Content.CopyToAsync(Stream.Null, cancellationToken);
            return new HttpResponseMessage(System.Net.HttpStatusCode.OK) { RequestMessage = request };
        }
    }
}
