using System.Collections.Concurrent;
using BenchmarkDotNet.Attributes;
using IronCage.Encryption;
using IronCage.Http;
using IronCage.Storage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Benchmarks;

/// <summary>The key resolver's cache hit (goal: ≤ 50 ns, 0 B), against a bare <see cref="ConcurrentDictionary{TKey, TValue}"/> read.</summary>
[MemoryDiagnoser]
public class ResolverBenchmarks
{
    private static readonly KeyReference Key = KeyReference.Parse("openai/prod");
    private readonly ConcurrentDictionary<KeyReference, object> _dictionary = new();
    private ServiceProvider _services = null!;
    private IKeyResolver _resolver = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddIronCage()
            .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
            .AddKeyResolver()
            .AddKeyPool("chat", PoolStrategy.RoundRobin, "openai/a", "openai/b", "openai/c");
        _services = services.BuildServiceProvider();
        foreach (var name in new[] { "prod", "a", "b", "c" })
        {
            BenchmarkKeys.StoreAsync(_services, KeyReference.Parse($"openai/{name}")).GetAwaiter().GetResult();
        }

        _resolver = _services.GetRequiredService<IKeyResolver>();
        _resolver.ResolveAsync(Key).AsTask().GetAwaiter().GetResult();
        for (var i = 0; i < 3; i++)
        {
            _resolver.ResolvePoolAsync("chat").AsTask().GetAwaiter().GetResult();
        }

        _dictionary[Key] = new object();
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Baseline = true)]
    public object? DictionaryTryGetValue() => _dictionary.TryGetValue(Key, out var value) ? value : null;

    [Benchmark]
    public ResolvedKey ResolveHit() => Completed(_resolver.ResolveAsync(Key));

    [Benchmark]
    public ResolvedKey ResolvePoolHitRoundRobin() => Completed(_resolver.ResolvePoolAsync("chat"));

    // A hit completes synchronously; anything else would be a miss and is not what is measured here.
    private static ResolvedKey Completed(ValueTask<ResolvedKey> pending)
        => pending.IsCompletedSuccessfully ? pending.Result : throw new InvalidOperationException("Expected a cache hit.");
}

/// <summary>Puts a managed key with a current version into a host's key store.</summary>
internal static class BenchmarkKeys
{
    public static async Task StoreAsync(IServiceProvider services, KeyReference key)
    {
        using var secret = SecretValue.FromString("sk-proj-" + Guid.NewGuid().ToString("N") + "T3BlbkFJ" + Guid.NewGuid().ToString("N"));
        var versionId = KeyVersion.NewVersionId();
        var version = new KeyVersion
        {
            VersionId = versionId,
            Stage = KeyStage.Current,
            CreatedAt = SystemClock.Instance.GetCurrentInstant(),
            DisplayHint = secret.DisplayHint,
            Fingerprint = services.GetRequiredService<ISecretFingerprinter>().Compute(secret),
            Secret = await services.GetRequiredService<ISecretProtector>().SealAsync(secret, new SecretBinding(key, versionId)),
        };
        await services.GetRequiredService<IKeyStore>().CreateAsync(new ManagedKey { Reference = key, Versions = [version] });
    }
}
