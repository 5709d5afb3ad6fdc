using System.Security.Cryptography;
using IronCage.Encryption;
using IronCage.Storage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Conformance;

/// <summary>
/// The contract every <see cref="IInstanceHeartbeatStore"/> keeps: one latest heartbeat per instance, listed from an
/// instant on, removed on goodbye, its versions read back as written, and <see cref="KeyVersion.LastUsedAt"/> moved
/// forward (never back) without a new key token. Subclass it and implement <see cref="CreateServices"/> (IronCage
/// with rotation and the store under test); each fact gets fresh, empty stores.
/// </summary>
public abstract class InstanceHeartbeatStoreConformanceTests : IAsyncLifetime
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 22, 9, 30, 15);
    private static readonly KeyReference Key = KeyReference.Parse("openai/prod");
    private readonly List<ServiceProvider> _providers = [];

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }
    }

    [ConformanceFact]
    public async Task Write_TwiceForOneInstance_ListsOnlyTheLatest()
    {
        var (_, store) = Resolve();
        await store.WriteAsync(Beat("web-1", T0, Served("kv_1", serving: true)));
        await store.WriteAsync(Beat("web-1", T0 + Duration.FromSeconds(30), Served("kv_2", serving: true, inFlight: 3)));
        await store.WriteAsync(Beat("web-2", T0, Served("kv_1", serving: true)));

        var listed = await store.ListAsync(T0 - Duration.FromMinutes(1));

        listed.Select(h => h.InstanceId).Should().Equal("web-1", "web-2");
        var latest = listed[0];
        latest.SentAt.Should().Be(T0 + Duration.FromSeconds(30));
        latest.Versions.Should().ContainSingle().Which.Should().Be(Served("kv_2", serving: true, inFlight: 3));
    }

    [ConformanceFact]
    public async Task Write_SeveralVersions_ReadsThemBackAsWritten()
    {
        var (_, store) = Resolve();
        var heartbeat = Beat("web-1", T0, Served("kv_1", serving: false, inFlight: 2), Served("kv_2", serving: true), new ServedKeyVersion { Key = KeyReference.Parse("anthropic/batch"), VersionId = "kv_9", Serving = true });

        await store.WriteAsync(heartbeat);

        var read = (await store.ListAsync(T0)).Should().ContainSingle().Subject;
        read.InstanceId.Should().Be("web-1");
        read.Versions.Should().Equal(heartbeat.Versions);
    }

    [ConformanceFact]
    public async Task List_Since_LeavesOutOlderHeartbeats()
    {
        var (_, store) = Resolve();
        await store.WriteAsync(Beat("old", T0));
        await store.WriteAsync(Beat("new", T0 + Duration.FromMinutes(5)));

        (await store.ListAsync(T0 + Duration.FromMinutes(1))).Select(h => h.InstanceId).Should().Equal("new");
        (await store.ListAsync(T0 + Duration.FromMinutes(5))).Select(h => h.InstanceId).Should().Equal(["new"], "since is inclusive");
    }

    [ConformanceFact]
    public async Task Remove_Goodbye_DropsTheInstance()
    {
        var (_, store) = Resolve();
        await store.WriteAsync(Beat("web-1", T0));
        await store.WriteAsync(Beat("web-2", T0));

        await store.RemoveAsync("web-1");
        await store.RemoveAsync("never-seen");

        (await store.ListAsync(T0)).Select(h => h.InstanceId).Should().Equal("web-2");
    }

    [ConformanceFact]
    public async Task Write_VersionUsed_MovesLastUsedAtForwardOnlyAndKeepsTheKeyToken()
    {
        var (keys, store) = Resolve();
        var created = await keys.CreateAsync(NewKey());
        var used = T0 + Duration.FromMinutes(3);

        await store.WriteAsync(Beat("web-1", used, Served("kv_1", serving: true, lastUsedAt: used)));
        await store.WriteAsync(Beat("web-2", T0, Served("kv_1", serving: true, lastUsedAt: T0)));
        await store.WriteAsync(Beat("web-3", used, new ServedKeyVersion { Key = KeyReference.Parse("openai/missing"), VersionId = "kv_1", LastUsedAt = used }));

        var read = await keys.GetAsync(Key);
        read.FindVersion("kv_1")!.LastUsedAt.Should().Be(used, "an older report never moves it back");
        read.ConcurrencyToken.Should().Be(created.ConcurrencyToken, "a heartbeat is not a key change");
    }

    /// <summary>Builds the services under test: IronCage with a master key, rotation and the stores; one provider per fact.</summary>
    /// <returns>The services.</returns>
    protected abstract ServiceCollection CreateServices();

    /// <summary>Adds IronCage with a fresh master key and rotation to <paramref name="services"/>.</summary>
    /// <param name="services">The services.</param>
    /// <returns>The builder, for the stores.</returns>
    protected static IIronCageBuilder AddIronCageWithRotation(ServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddLogging();
        return services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).AddRotation();
    }

    private (IKeyStore Keys, IInstanceHeartbeatStore Store) Resolve()
    {
        var provider = CreateServices().BuildServiceProvider();
        _providers.Add(provider);
        return (provider.GetRequiredService<IKeyStore>(), provider.GetRequiredService<IInstanceHeartbeatStore>());
    }

    private static InstanceHeartbeat Beat(string instance, Instant at, params ServedKeyVersion[] versions) => new() { InstanceId = instance, SentAt = at, Versions = versions };

    private static ServedKeyVersion Served(string versionId, bool serving, long inFlight = 0, Instant? lastUsedAt = null)
        => new() { Key = Key, VersionId = versionId, Serving = serving, InFlight = inFlight, LastUsedAt = lastUsedAt };

    private static ManagedKey NewKey() => new()
    {
        Reference = Key,
        CreatedAt = T0,
        Versions =
        [
            new KeyVersion
            {
                VersionId = "kv_1",
                Stage = KeyStage.Current,
                CreatedAt = T0,
                DisplayHint = "sk-…1",
                Fingerprint = "fp1.conformance.kv_1",
                Secret = new EncryptedSecret
                {
                    KeyEncryptionKeyId = "local-0011223344556677",
                    WrappedDataKey = RandomNumberGenerator.GetBytes(60),
                    Nonce = RandomNumberGenerator.GetBytes(12),
                    Ciphertext = RandomNumberGenerator.GetBytes(51),
                },
            },
        ],
    };
}
