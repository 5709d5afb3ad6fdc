using System.Collections.Concurrent;
using IronCage.Encryption;
using IronCage.Rotation;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodaTime.Testing;
using Npgsql;

namespace IronCage.Storage.PostgreSql.Tests;

[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlKeyChangeFeedTests(PostgresServer server)
{
    // Generous: the change normally arrives within milliseconds; the test only asserts that it arrives.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [PostgresFact]
    public async Task UpdateThroughOneStore_ReachesAFeedOnAnotherConnection()
    {
        var connectionString = server.CreateDatabase();
        using var store = new PostgreSqlKeyStore(new PostgreSqlStoreOptions { ConnectionString = connectionString });
        var created = await store.CreateAsync(TestKeys.NewKey("openai/feed"));

        // Another data source: another process, as far as PostgreSQL can tell.
        await using var otherDataSource = NpgsqlDataSource.Create(connectionString);
        await using var feed = new PostgreSqlKeyChangeFeed(new PostgreSqlStoreOptions { DataSource = otherDataSource });
        var arrived = new TaskCompletionSource<KeyReference>(TaskCreationOptions.RunContinuationsAsynchronously);
        feed.KeyChanged += (_, e) => arrived.TrySetResult(e.Key);
        await feed.StartAsync();
        feed.IsStarted.Should().BeTrue();

        await store.UpdateAsync(created with { Description = "changed" });

        (await arrived.Task.WaitAsync(Patience)).Should().Be(created.Reference);
    }

    [PostgresFact]
    public async Task RolledBackOrRefusedWrite_IsNotAnnounced_ButKillAndRotationAre()
    {
        var connectionString = server.CreateDatabase();
        var clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI, clock);
        await using var container = TestKeys.Instance(connectionString, provider, clock, LocalMasterKeyProvider.GenerateMasterKey());
        var rotator = container.GetRequiredService<IKeyRotator>();
        var reference = new KeyReference(ProviderId.OpenAI, "prod");
        using (var secret = FakeKeys.Generate(ProviderId.OpenAI))
        {
            await rotator.RegisterAsync(new KeyRegistration { Reference = reference, ProviderKeyId = provider.AddExistingKey(secret, "initial") }, secret);
        }

        // The feed the DI registration starts with the host.
        var feed = container.GetRequiredService<PostgreSqlKeyChangeFeed>();
        var changes = new BlockingCollection<KeyReference>();
        feed.KeyChanged += (_, e) => changes.Add(e.Key);
        var hosted = container.GetServices<IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        try
        {
            var keys = container.GetRequiredService<IKeyStore>();
            var stale = await keys.GetAsync(reference);
            var rotated = await rotator.RotateAsync(reference, RotationReason.Manual);
            changes.TryTake(out var promoted, Patience).Should().BeTrue("the rotation's promotion is announced");
            promoted.Should().Be(reference);

            // A write refused for its stale token commits nothing, and announces nothing; the kill after it does.
            await FluentActions.Awaiting(async () => await keys.UpdateAsync(stale with { Description = "stale" })).Should().ThrowAsync<ConcurrencyConflictException>();
            while (changes.TryTake(out _, TimeSpan.FromMilliseconds(200)))
            {
                // Drain what the rotation announced (it writes the key more than once).
            }

            var current = (await keys.GetAsync(reference)).CurrentVersion!;
            await rotator.KillAsync(reference, current.VersionId);
            changes.TryTake(out var killed, Patience).Should().BeTrue("a kill is announced");
            killed.Should().Be(reference);
            rotated.Should().NotBeNull();
        }
        finally
        {
            foreach (var service in Enumerable.Reverse(hosted))
            {
                await service.StopAsync(CancellationToken.None);
            }
        }

        feed.IsStarted.Should().BeFalse();
    }
}
