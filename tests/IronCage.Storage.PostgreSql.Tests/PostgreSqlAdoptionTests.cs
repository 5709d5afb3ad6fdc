using System.Collections.Concurrent;
using System.Net;
using IronCage.Encryption;
using IronCage.Http;
using IronCage.Rotation;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Storage.PostgreSql.Tests;

/// <summary>
/// Adoption-confirmed revocation over one PostgreSQL database with three host instances in this process, each with its
/// own resolver, key handler and heartbeat: one slow to switch, one killed without saying goodbye, one with a request
/// in flight on the old key. The rotating instance revokes the old key only when the live ones moved and nothing is in
/// flight, never after the ceiling, and its events tell the story.
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
        await using var engine = world.Engine();
        await using var slow = world.Host("slow");
        var killed = world.Host("killed");
        await using var busy = world.Host("busy");
        var rotator = engine.GetRequiredService<IKeyRotator>();
        string oldProviderKeyId;
        using (var secret = FakeKeys.Generate(ProviderId.OpenAI))
        {
            oldProviderKeyId = world.Provider.AddExistingKey(secret, "initial");
            await rotator.RegisterAsync(new KeyRegistration { Reference = Reference, ProviderKeyId = oldProviderKeyId }, secret);
        }

        // t0: everyone serves the old key; busy has a request in flight on it.
        await SendAsync(slow);
        await SendAsync(killed);
        var held = world.Gate.Hold();
        var inFlight = SendAsync(busy, hold: true);
        await world.Gate.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        await BeatAsync(slow, killed, busy);
        var operation = await rotator.RotateAsync(Reference, RotationReason.Scheduled, new RotationRequest { Actor = "ops", GracePeriod = Grace });
        operation.Step.Should().Be(RotationStep.GracePeriod);
        var timeline = new List<string> { $"t+0: promoted {operation.NewVersionId}; floor {operation.AdoptionNotBefore}, ceiling {operation.GraceEndsAt}" };

        // t+2 min (the floor): busy and killed... only busy switches; killed and slow stay on the old key.
        world.Clock.Advance(Duration.FromMinutes(2));
        await SwitchAsync(busy);
        await BeatAsync(slow, killed, busy);
        operation = await Check(rotator, operation, timeline, "t+2");
        operation.Adoption!.InstancesOnPrevious.Should().Equal("busy", "killed", "slow");
        operation.Adoption.InFlightOnPrevious.Should().Be(1);

        // t+3 min: killed dies without a goodbye; its last heartbeat still counts.
        await killed.DisposeAsync();
        world.Clock.Advance(Duration.FromMinutes(1));
        await BeatAsync(slow, busy);
        operation = await Check(rotator, operation, timeline, "t+3");
        operation.Adoption!.InstancesOnPrevious.Should().Contain("killed");

        // t+4.5 min: killed has been silent past the instance timeout (2 min): it drops out.
        world.Clock.Advance(Duration.FromSeconds(90));
        await BeatAsync(slow, busy);
        operation = await Check(rotator, operation, timeline, "t+4.5");
        operation.Adoption!.DroppedInstances.Should().Equal("killed");
        operation.Adoption.InstancesOnPrevious.Should().Equal("busy", "slow");

        // t+6 min: slow finally switches; busy's request is still in flight on the old key.
        world.Clock.Advance(Duration.FromSeconds(90));
        await SwitchAsync(slow);
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
        await using var stuck = world.Host("stuck");
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

    // What the change feed does for a host that listens: drop the cached key, so the next request takes the new one.
    private static async Task SwitchAsync(ServiceProvider host)
    {
        host.GetRequiredService<IKeyResolver>().Invalidate(Reference);
        await SendAsync(host);
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

        public ServiceProvider Host(string instanceId) => TestKeys.Instance(connectionString, Provider, Clock, MasterKey, extend: b =>
        {
            b.AddKeyResolver(o => o.RefreshInterval = TimeSpan.FromHours(10)).AddInstanceHeartbeat(o => o.InstanceId = instanceId);
            b.Services.AddHttpClient("chat").AddIronCageKey(Reference.ToString()).ConfigurePrimaryHttpMessageHandler(() => new ProviderEndpoint(Gate));
        });
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
