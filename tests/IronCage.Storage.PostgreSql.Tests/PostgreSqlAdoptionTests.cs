using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using IronCage.Encryption;
using IronCage.Http;
using IronCage.Rotation;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;
using Npgsql;

namespace IronCage.Storage.PostgreSql.Tests;

/// <summary>
/// Adoption-confirmed revocation over one PostgreSQL database with three host instances in this process, each with its
/// own resolver, key handler, heartbeat and change feed: one whose feed connection is down when the key is promoted (slow
/// to switch), one killed without saying goodbye, one with a request in flight on the old key. Instances switch only
/// through their change feeds (the promotion's NOTIFY, or the "changes missed" of a reconnected feed), never through a
/// call of the test. The rotating instance revokes the old key only when the live ones moved and nothing is in flight,
/// never after the ceiling, and its events tell the story.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlAdoptionTests(PostgresServer server)
{
    private static readonly KeyReference Reference = new(ProviderId.OpenAI, "prod");
    private static readonly Duration Grace = Duration.FromMinutes(30);

    [PostgresFact]
    public async Task Rotate_ThreeInstances_RevokesOnlyWhenLiveInstancesMovedAndInFlightDrained()
    {
        var world = new World(server.CreateDatabase());
        var slowFeedRole = await world.CreateFeedRoleAsync(server.AdminConnectionString);
        await using var engine = world.Engine();
        await using var slow = await world.HostAsync("slow", feedRole: slowFeedRole);
        var killed = await world.HostAsync("killed");
        await using var busy = await world.HostAsync("busy");
        var rotator = engine.GetRequiredService<IKeyRotator>();
        string oldProviderKeyId;
        string oldVersionId;
        using (var secret = FakeKeys.Generate(ProviderId.OpenAI))
        {
            oldProviderKeyId = world.Provider.AddExistingKey(secret, "initial");
            oldVersionId = (await rotator.RegisterAsync(new KeyRegistration { Reference = Reference, ProviderKeyId = oldProviderKeyId }, secret)).CurrentVersion!.VersionId;
        }

        // t0: everyone serves the old key; busy has a request in flight on it. killed dies after its heartbeat, without a
        // goodbye; slow's change-feed connection is lost (its LISTEN session is cut and cannot log in again), so it will
        // miss the promotion's notification.
        await SendAsync(slow);
        await SendAsync(killed);
        var held = world.Gate.Hold();
        var inFlight = SendAsync(busy, hold: true);
        await world.Gate.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        await BeatAsync(slow, killed, busy);
        await killed.DisposeAsync();
        await world.CutFeedAsync(server.AdminConnectionString, slowFeedRole);
        var operation = await rotator.RotateAsync(Reference, RotationReason.Scheduled, new RotationRequest { Actor = "ops", GracePeriod = Grace });
        operation.Step.Should().Be(RotationStep.GracePeriod);
        var timeline = new List<string> { $"t+0: promoted {operation.NewVersionId}; floor {operation.AdoptionNotBefore}, ceiling {operation.GraceEndsAt}" };

        // The promotion's NOTIFY reaches busy's feed: its resolver drops the key by itself (no Invalidate anywhere).
        (await ServedWithinAsync(busy, operation.NewVersionId)).Should().BeTrue("busy's change feed announces the promotion");
        timeline.Add("t+0: busy's change feed dropped the old key; slow's feed is down");
        (await ServedAsync(slow)).Should().Be(oldVersionId, "slow missed the notification and still serves the old key");

        // t+2 min (the floor): busy serves the new key but still has a request in flight on the old one; killed's last
        // heartbeat and slow still count as on the old version.
        world.Clock.Advance(Duration.FromMinutes(2));
        await SendAsync(busy);
        await BeatAsync(slow, busy);
        operation = await Check(rotator, operation, timeline, "t+2");
        operation.Adoption!.InstancesOnPrevious.Should().Equal("busy", "killed", "slow");
        operation.Adoption.InFlightOnPrevious.Should().Be(1);

        // t+4.5 min: killed has been silent past the instance timeout (2 min): it drops out.
        world.Clock.Advance(Duration.FromSeconds(150));
        await BeatAsync(slow, busy);
        operation = await Check(rotator, operation, timeline, "t+4.5");
        operation.Adoption!.DroppedInstances.Should().Equal("killed");
        operation.Adoption.InstancesOnPrevious.Should().Equal("busy", "slow");

        // t+6 min: slow's feed can log in again; on reconnecting it reports that changes may have been missed, and its
        // resolver drops everything cached. busy's request is still in flight on the old key.
        world.Clock.Advance(Duration.FromSeconds(90));
        await world.RestoreFeedAsync(server.AdminConnectionString, slowFeedRole);
        (await ServedWithinAsync(slow, operation.NewVersionId)).Should().BeTrue("a reconnected feed makes the resolver drop what it cached");
        timeline.Add("t+6: slow's change feed reconnected and its resolver dropped the old key");
        await SendAsync(slow);
        await BeatAsync(slow, busy);
        operation = await Check(rotator, operation, timeline, "t+6");
        operation.Adoption!.InstancesOnPrevious.Should().Equal("busy");
        operation.Adoption.Summary.Should().Contain("1 of 2 instances still on the old version").And.Contain("1 request in flight");
        world.Provider.LiveKeyIds.Should().Contain(oldProviderKeyId, "nothing is revoked while a live instance has a request in flight on it");

        // t+8 min: the request completes; the next check revokes.
        world.Clock.Advance(Duration.FromMinutes(2));
        held.SetResult();
        (await inFlight).Should().Be(HttpStatusCode.OK);
        await BeatAsync(slow, busy);
        operation = await Check(rotator, operation, timeline, "t+8");

        operation.Step.Should().Be(RotationStep.Completed);
        operation.Adoption!.State.Should().Be(KeyAdoptionState.Adopted);
        world.Provider.LiveKeyIds.Should().NotContain(oldProviderKeyId);
        world.Clock.GetCurrentInstant().Should().BeLessThan(operation.GraceEndsAt!.Value, "adoption ended the wait 22 minutes before the ceiling");
        world.Events.Adoption.Select(e => (e.Status.State, e.Status.InstancesOnPrevious.Count, e.Status.InFlightOnPrevious, e.Status.DroppedInstances.Count))
            .Should().Equal(
                (KeyAdoptionState.Waiting, 3, 1L, 0),
                (KeyAdoptionState.Waiting, 2, 1L, 1),
                (KeyAdoptionState.Waiting, 1, 1L, 1),
                (KeyAdoptionState.Adopted, 0, 0L, 1));
        var all = world.Events.All.ToList();
        all.IndexOf(world.Events.Adoption[^1]).Should().BeLessThan(all.FindIndex(e => e is KeyRevoked), "adoption is announced before the revocation");
        var key = await engine.GetRequiredService<IKeyStore>().GetAsync(Reference);
        key.FindVersion(operation.NewVersionId)!.LastUsedAt.Should().NotBeNull("heartbeats write LastUsedAt, batched");
        File.WriteAllLines(Path.Combine(AppContext.BaseDirectory, "adoption-timeline-postgresql.txt"), [.. timeline, .. world.Events.Adoption.Select(e => $"{e.OccurredAt}: {e.Describe()}")]);
    }

    [PostgresFact]
    public async Task Rotate_InstanceNeverSwitches_RevokesAtTheCeilingNotAfter()
    {
        var world = new World(server.CreateDatabase());
        await using var engine = world.Engine();
        await using var stuck = await world.HostAsync("stuck", listen: false); // e.g. behind PgBouncer in transaction mode: no LISTEN, a 10 h refresh
        var rotator = engine.GetRequiredService<IKeyRotator>();
        using (var secret = FakeKeys.Generate(ProviderId.OpenAI))
        {
            await rotator.RegisterAsync(new KeyRegistration { Reference = Reference, ProviderKeyId = world.Provider.AddExistingKey(secret, "initial") }, secret);
        }

        await SendAsync(stuck);
        await BeatAsync(stuck);
        var operation = await rotator.RotateAsync(Reference, RotationReason.Scheduled, new RotationRequest { Actor = "ops", GracePeriod = Grace });
        var timeline = new List<string>();
        world.Clock.Advance(Duration.FromMinutes(10));
        await BeatAsync(stuck);
        operation = await Check(rotator, operation, timeline, "t+10");
        operation.Step.Should().Be(RotationStep.GracePeriod);

        world.Clock.Advance(Duration.FromMinutes(20));
        await BeatAsync(stuck);
        operation = await Check(rotator, operation, timeline, "t+30");

        operation.Step.Should().Be(RotationStep.Completed, "the grace period is the ceiling");
        operation.Adoption!.State.Should().Be(KeyAdoptionState.CeilingReached);
        world.Events.Adoption[^1].Describe().Should().Contain("grace period over, revoking anyway").And.Contain("1 of 1 instances still on the old version");
    }

    private static async Task<RotationOperation> Check(IKeyRotator rotator, RotationOperation operation, List<string> timeline, string at)
    {
        var checkedOperation = await rotator.ResumeAsync(operation.OperationId);
        timeline.Add($"{at}: {checkedOperation.Step}; {checkedOperation.Adoption?.Summary}");
        return checkedOperation;
    }

    private static async Task BeatAsync(params ServiceProvider[] hosts)
    {
        foreach (var host in hosts)
        {
            await host.GetRequiredService<InstanceHeartbeatPublisher>().PublishAsync();
        }
    }

    private static async Task<string> ServedAsync(ServiceProvider host)
        => (await host.GetRequiredService<IKeyResolver>().ResolveAsync(Reference)).VersionId;

    // The change feed works on its own connection and in real time: wait (bounded) until the host's resolver hands out
    // the version.
    private static async Task<bool> ServedWithinAsync(ServiceProvider host, string versionId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (await ServedAsync(host) == versionId)
            {
                return true;
            }

            await Task.Delay(20);
        }

        return false;
    }

    private static async Task<HttpStatusCode> SendAsync(ServiceProvider host, bool hold = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.openai.com/v1/models");
        if (hold)
        {
            request.Headers.Add("x-test-hold", "1");
        }

        using var response = await host.GetRequiredService<IHttpClientFactory>().CreateClient("chat").SendAsync(request);
        return response.StatusCode;
    }

    private sealed class World(string connectionString)
    {
        private static int _roles;

        public FakeClock Clock { get; } = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);

        public FakeProviderAdapter Provider { get; } = FakeProviderAdapter.For(ProviderId.OpenAI);

        public string MasterKey { get; } = LocalMasterKeyProvider.GenerateMasterKey();

        public EventLog Events { get; } = new();

        public HoldGate Gate { get; } = new();

        public ServiceProvider Engine() => TestKeys.Instance(connectionString, Provider, Clock, MasterKey, extend: b =>
        {
            b.WaitForKeyAdoption(o =>
            {
                o.AdoptionFloor = Duration.FromMinutes(2);
                o.InstanceTimeout = Duration.FromMinutes(2);
                o.AdoptionCheckInterval = Duration.FromSeconds(30);
            });
            b.Services.AddSingleton<IRotationEventSubscriber>(Events);
        });

        /// <summary>
        /// A host instance with a resolver, key handler, heartbeat and its change feed listening (started here: these are
        /// service providers, not hosts). With <paramref name="feedRole"/> the feed logs in as that role, so the test can cut it;
        /// without <paramref name="listen"/> the host has no feed and keeps its cached key for the 10 h refresh interval.
        /// </summary>
        public async Task<ServiceProvider> HostAsync(string instanceId, string? feedRole = null, bool listen = true)
        {
            var host = TestKeys.Instance(connectionString, Provider, Clock, MasterKey, extend: b =>
            {
                b.AddKeyResolver(o => o.RefreshInterval = TimeSpan.FromHours(10)).AddInstanceHeartbeat(o => o.InstanceId = instanceId);
                b.Services.AddHttpClient("chat").AddIronCageKey(Reference.ToString()).ConfigurePrimaryHttpMessageHandler(() => new ProviderEndpoint(Gate));
                if (feedRole is not null)
                {
                    var feedConnection = new NpgsqlConnectionStringBuilder(connectionString) { Username = feedRole, Pooling = false }.ConnectionString;
                    b.Services.Replace(ServiceDescriptor.Singleton(sp => new PostgreSqlKeyChangeFeed(new PostgreSqlStoreOptions { ConnectionString = feedConnection }, sp.GetService<ILoggerFactory>())));
                }
            });
            _ = host.GetRequiredService<IKeyResolver>(); // subscribes to the feed
            if (listen)
            {
                await host.GetRequiredService<PostgreSqlKeyChangeFeed>().StartAsync();
            }

            return host;
        }

        public async Task<string> CreateFeedRoleAsync(string adminConnectionString)
        {
            var role = string.Create(CultureInfo.InvariantCulture, $"ironcage_feed_{Environment.ProcessId}_{Interlocked.Increment(ref _roles)}");
            await AdminAsync(adminConnectionString, $"CREATE ROLE {role} LOGIN SUPERUSER;" /* the standalone feed checks the schema version on connecting */);
            return role;
        }

        /// <summary>The feed's session is terminated and the role may not log in again: the feed retries every second and misses every notification meanwhile.</summary>
        public async Task CutFeedAsync(string adminConnectionString, string role)
        {
            await AdminAsync(adminConnectionString, $"ALTER ROLE {role} NOLOGIN; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}';");
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (await CountSessionsAsync(adminConnectionString, role) > 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }

        public Task RestoreFeedAsync(string adminConnectionString, string role) => AdminAsync(adminConnectionString, $"ALTER ROLE {role} LOGIN;");

        private static async Task AdminAsync(string adminConnectionString, string sql)
        {
            await using var connection = new NpgsqlConnection(adminConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }

        private static async Task<long> CountSessionsAsync(string adminConnectionString, string role)
        {
            await using var connection = new NpgsqlConnection(adminConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM pg_stat_activity WHERE usename = '{role}';", connection);
            return (long)(await command.ExecuteScalarAsync())!;
        }
    }

    private sealed class EventLog : IRotationEventSubscriber
    {
        private readonly ConcurrentQueue<RotationEvent> _events = new();

        public IReadOnlyList<RotationEvent> All => [.. _events];

        public IReadOnlyList<KeyAdoptionProgressed> Adoption => [.. _events.OfType<KeyAdoptionProgressed>()];

        public ValueTask OnEventAsync(RotationEvent rotationEvent, CancellationToken cancellationToken = default)
        {
            _events.Enqueue(rotationEvent);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Holds a marked request until released, so it stays in flight.</summary>
    private sealed class HoldGate
    {
        private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public SemaphoreSlim Entered { get; } = new(0);

        public Task Released => _release.Task;

        public TaskCompletionSource Hold() => _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The provider's endpoint as far as these hosts are concerned: 200 for every request, a marked one only once released.</summary>
    private sealed class ProviderEndpoint(HoldGate gate) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.Contains("x-test-hold"))
            {
                gate.Entered.Release();
                await gate.Released.WaitAsync(cancellationToken);
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"data\":[]}") };
        }
    }
}
