using IronCage.Encryption;
using IronCage.Http;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Storage.Sqlite.Tests;

/// <summary>
/// Two host instances over one SQLite file, each with its own store objects and connections (as two processes have):
/// a kill, a rotation or a delete on one reaches the other's resolver through the store's change feed, long before
/// the resolver's refresh interval (set to an hour here, so only the feed can explain it).
/// </summary>
public sealed class SqliteKeyChangeFeedTests : IDisposable
{
    private static readonly KeyReference Key = KeyReference.Parse("openai/prod");
    private readonly TempDatabase _database = new();
    private readonly string _masterKey = LocalMasterKeyProvider.GenerateMasterKey();

    public void Dispose() => _database.Delete();

    [Fact]
    public async Task Kill_OnOneInstance_ReachesTheOtherInstancesResolverWithoutWaitingForItsRefresh()
    {
        using var a = Host();
        using var b = Host();
        var created = await a.GetRequiredService<IKeyStore>().CreateAsync(await NewKeyAsync(a));
        var resolver = b.GetRequiredService<IKeyResolver>();
        (await resolver.ResolveAsync(Key)).VersionId.Should().Be(created.Versions.Single().VersionId, "instance B caches the key");

        var killed = created with { Versions = [.. created.Versions.Select(v => v with { KilledAt = SystemClock.Instance.GetCurrentInstant() })] };
        await a.GetRequiredService<IKeyStore>().UpdateAsync(killed);

        (await RefusedAsync(resolver)).Should().BeTrue("instance B's resolver must drop the killed key once A's kill is in the file");
    }

    [Fact]
    public async Task Rotation_OnOneInstance_ReachesTheOtherInstancesResolverWithoutWaitingForItsRefresh()
    {
        using var a = Host();
        using var b = Host();
        var store = a.GetRequiredService<IKeyStore>();
        var created = await store.CreateAsync(await NewKeyAsync(a));
        var resolver = b.GetRequiredService<IKeyResolver>();
        await resolver.ResolveAsync(Key);

        var next = await VersionAsync(a, "sk-proj-" + new string('n', 40));
        await store.UpdateAsync(created with { Versions = [.. created.Versions.Select(v => v with { Stage = KeyStage.Previous }), next] });

        var served = (await resolver.ResolveAsync(Key)).VersionId;
        for (var i = 0; i < 1000 && served != next.VersionId; i++)
        {
            await Task.Delay(10);
            served = (await resolver.ResolveAsync(Key)).VersionId;
        }

        served.Should().Be(next.VersionId, "instance B serves the version A promoted");
    }

    [Fact]
    public async Task KeyChanged_WritesOfAnotherStoreObjectOnTheFile_AreRaisedForEachKeyAndOwnWritesOnce()
    {
        using var a = new SqliteKeyStore(_database.Options());
        using var b = new SqliteKeyStore(_database.Options());
        var seen = new System.Collections.Concurrent.ConcurrentQueue<KeyReference>();
        var missed = 0;
        b.KeyChanged += (_, e) => seen.Enqueue(e.Key);
        b.ChangesMissed += (_, _) => Interlocked.Increment(ref missed);
        using var host = Host();
        var key = await NewKeyAsync(host);

        // The poll's first reading is its baseline, announced as possibly missed changes; writes after it are announced by key.
        await WaitAsync(() => Volatile.Read(ref missed) == 1);
        var created = await a.CreateAsync(key);
        await WaitAsync(() => seen.Contains(Key));
        seen.Clear();
        await a.DeleteAsync(Key, created.ConcurrencyToken);
        await WaitAsync(() => seen.Contains(Key));

        seen.Should().Equal([Key], "a delete by another store object is announced once");
        Volatile.Read(ref missed).Should().Be(1, "the first reading is announced as possibly missed changes, once");

        seen.Clear();
        var own = await b.CreateAsync(key);
        await a.UpdateAsync(own with { Description = "changed elsewhere" });
        await WaitAsync(() => seen.Count >= 2);
        seen.Should().Equal([Key, Key], "B's own create is announced when it commits, and A's update by the poll; the poll does not repeat B's own write");
    }

    private static async Task WaitAsync(Func<bool> condition)
    {
        for (var i = 0; i < 1000 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        condition().Should().BeTrue();
    }

    private static async Task<bool> RefusedAsync(IKeyResolver resolver)
    {
        for (var i = 0; i < 1000; i++)
        {
            try
            {
                await resolver.ResolveAsync(Key);
            }
            catch (NoUsableKeyException)
            {
                return true;
            }

            await Task.Delay(10);
        }

        return false;
    }

    private ServiceProvider Host()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddIronCage()
            .ProtectKeysWithMasterKey(_masterKey)
            .PersistToSqlite(_database.ConnectionString)
            .AddKeyResolver(o => o.RefreshInterval = TimeSpan.FromHours(1));
        return services.BuildServiceProvider();
    }

    private static async Task<ManagedKey> NewKeyAsync(IServiceProvider host)
        => new() { Reference = Key, Versions = [await VersionAsync(host, FakeKeys.GenerateText(ProviderId.OpenAI))] };

    private static async Task<KeyVersion> VersionAsync(IServiceProvider host, string secret)
    {
        using var value = SecretValue.FromString(secret);
        var versionId = KeyVersion.NewVersionId();
        var now = SystemClock.Instance.GetCurrentInstant();
        return new KeyVersion
        {
            VersionId = versionId,
            Stage = KeyStage.Current,
            CreatedAt = now,
            ActivatedAt = now,
            DisplayHint = value.DisplayHint,
            Fingerprint = host.GetRequiredService<ISecretFingerprinter>().Compute(value),
            Secret = await host.GetRequiredService<ISecretProtector>().SealAsync(value, new SecretBinding(Key, versionId)),
        };
    }
}
