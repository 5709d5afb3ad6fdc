using IronCage.Auditing;
using IronCage.Conformance;
using IronCage.Encryption;
using IronCage.Storage;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IronCage.Rotation.Tests.Rewrap;

/// <summary>The re-wrap conformance suite on the in-memory stores, shared by every host of one test.</summary>
public sealed class InMemoryKeyRewrapConformanceTests : KeyRewrapConformanceTests
{
    private readonly InMemoryKeyStore _keys = new();
    private readonly InMemoryRotationStore _rotations = new();
    private readonly InMemoryAuditLog _audit = new();

    protected override IIronCageBuilder Persist(IIronCageBuilder builder)
    {
        builder.Services.AddSingleton<IKeyStore>(_keys);
        builder.Services.Replace(ServiceDescriptor.Singleton<IRotationStore>(_rotations));
        builder.Services.AddSingleton<IAuditLog>(_audit);
        return builder;
    }
}

public sealed class KeyRewrapperTests
{
    [Fact]
    public async Task Rewrap_ARotationChangesTheKeyInBetween_ReadsItAgainAndKeepsTheOtherChange()
    {
        var oldMasterKey = LocalMasterKeyProvider.GenerateMasterKey();
        var keys = new InMemoryKeyStore();
        var reference = KeyReference.Parse("groq/prod");
        await using (var seed = Host(keys, oldMasterKey))
        {
            using var secret = FakeKeys.Generate(ProviderId.Groq);
            await seed.GetRequiredService<IKeyRotator>().RegisterAsync(new KeyRegistration { Reference = reference, Verify = false }, secret);
        }

        var racing = new RacingKeyStore(keys, reference);
        await using var host = Host(racing, LocalMasterKeyProvider.GenerateMasterKey(), oldMasterKey);

        var result = await host.GetRequiredService<IKeyRewrapper>().RewrapAsync();

        result.Versions.Should().Be(1);
        racing.Conflicts.Should().Be(1, "the first write met the concurrent change and was retried on the fresh key");
        var stored = await keys.GetAsync(reference);
        stored.Labels.Should().ContainKey("changed-by").WhoseValue.Should().Be("rotation", "the concurrent change is kept");
        stored.Versions.Should().OnlyContain(v => v.Secret.KeyEncryptionKeyId == result.CurrentKeyId);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(KeyRewrapRequest.MaxBatchSize + 1)]
    public async Task Rewrap_BatchSizeOutOfRange_Throws(int batchSize)
    {
        await using var host = Host(new InMemoryKeyStore(), LocalMasterKeyProvider.GenerateMasterKey());

        var run = () => host.GetRequiredService<IKeyRewrapper>().RewrapAsync(new KeyRewrapRequest { BatchSize = batchSize });

        (await run.Should().ThrowAsync<ArgumentOutOfRangeException>()).Which.Message.Should().Contain("BatchSize must be 1 to 10000");
    }

    private static ServiceProvider Host(IKeyStore keys, string masterKey, params string[] retired)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(keys);
        services.AddIronCage().ProtectKeysWithMasterKey(o =>
        {
            o.MasterKey = masterKey;
            foreach (var old in retired)
            {
                o.RetiredMasterKeys.Add(old);
            }
        }).AddRotation();
        return services.BuildServiceProvider();
    }

    /// <summary>Changes the key behind the re-wrapper's back before its first write, as a rotation running at the same time would.</summary>
    private sealed class RacingKeyStore(InMemoryKeyStore inner, KeyReference reference) : IKeyStore
    {
        public int Conflicts { get; private set; }

        public ValueTask<ManagedKey> GetAsync(KeyReference key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);

        public ValueTask<ManagedKey?> FindAsync(KeyReference key, CancellationToken cancellationToken = default) => inner.FindAsync(key, cancellationToken);

        public IAsyncEnumerable<ManagedKey> ListAsync(ProviderId? provider = null, CancellationToken cancellationToken = default) => inner.ListAsync(provider, cancellationToken);

        public ValueTask<ManagedKey> CreateAsync(ManagedKey key, CancellationToken cancellationToken = default) => inner.CreateAsync(key, cancellationToken);

        public async ValueTask<ManagedKey> UpdateAsync(ManagedKey key, CancellationToken cancellationToken = default)
        {
            if (Conflicts == 0 && key.Reference == reference)
            {
                Conflicts++;
                var current = await inner.GetAsync(reference, cancellationToken);
                await inner.UpdateAsync(current with { Labels = new Dictionary<string, string> { ["changed-by"] = "rotation" } }, cancellationToken);
            }

            return await inner.UpdateAsync(key, cancellationToken);
        }

        public ValueTask DeleteAsync(KeyReference key, long expectedConcurrencyToken, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, expectedConcurrencyToken, cancellationToken);
    }
}
