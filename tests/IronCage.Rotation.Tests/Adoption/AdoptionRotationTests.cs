using IronCage.Storage;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Rotation.Tests.Adoption;

/// <summary>Revocation after the grace period waits for adoption (in-memory stores, heartbeats written as instances would).</summary>
public sealed class AdoptionRotationTests
{
    private static readonly Duration Grace = Duration.FromHours(24);

    [Fact]
    public async Task Resume_InstanceOnOldThenInFlightOnOld_RevokesOnlyWhenMovedAndDrained()
    {
        using var harness = Harness();
        var heartbeats = harness.Services.GetRequiredService<IInstanceHeartbeatStore>();
        var (registered, _) = await harness.RegisterAsync(policy: new RotationPolicy { GracePeriod = Grace });
        var oldVersion = registered.CurrentVersion!.VersionId;

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);
        operation.Step.Should().Be(RotationStep.GracePeriod);
        operation.AdoptionNotBefore.Should().Be(harness.Clock.GetCurrentInstant() + Duration.FromMinutes(5));
        await Beat(heartbeats, harness, "fast", Served(registered.Reference, operation.NewVersionId));
        await Beat(heartbeats, harness, "slow", Served(registered.Reference, oldVersion));

        harness.Clock.AdvanceMinutes(5);
        await Beat(heartbeats, harness, "fast", Served(registered.Reference, operation.NewVersionId));
        await Beat(heartbeats, harness, "slow", Served(registered.Reference, oldVersion));
        operation = await harness.Rotator.ResumeAsync(operation.OperationId);
        operation.Step.Should().Be(RotationStep.GracePeriod, "one of two instances still serves the old version");
        operation.Adoption!.InstancesOnPrevious.Should().Equal("slow");
        operation.Adoption.Summary.Should().Contain("1 of 2 instances still on the old version");
        var plan = await harness.Rotator.PlanAsync(harness.Clock.GetCurrentInstant());
        plan.Items.Single(i => i.Key == registered.Reference).Detail.Should().Contain("1 of 2 instances still on the old version");

        harness.Clock.AdvanceSeconds(30);
        await Beat(heartbeats, harness, "fast", Served(registered.Reference, operation.NewVersionId));
        await Beat(heartbeats, harness, "slow", Served(registered.Reference, operation.NewVersionId), Served(registered.Reference, oldVersion, serving: false, inFlight: 2));
        operation = await harness.Rotator.ResumeAsync(operation.OperationId);
        operation.Step.Should().Be(RotationStep.GracePeriod, "two requests are still in flight on the old version");
        operation.Adoption!.InFlightOnPrevious.Should().Be(2);

        harness.Clock.AdvanceSeconds(30);
        await Beat(heartbeats, harness, "fast", Served(registered.Reference, operation.NewVersionId));
        await Beat(heartbeats, harness, "slow", Served(registered.Reference, operation.NewVersionId));
        var result = await harness.Scheduler.RunDueAsync(harness.Clock.GetCurrentInstant());

        result.Should().NotBeNull();
        var finished = await harness.Operations.FindAsync(operation.OperationId);
        finished!.Step.Should().Be(RotationStep.Completed, "the scheduler checks adoption before the grace period ends");
        finished.Adoption!.State.Should().Be(KeyAdoptionState.Adopted);
        var key = await harness.Keys.GetAsync(registered.Reference);
        key.FindVersion(oldVersion)!.Stage.Should().Be(KeyStage.Revoked);
        harness.Shared.Events.All.OfType<KeyAdoptionProgressed>().Select(e => (e.Status.State, e.Status.InstancesOnPrevious.Count, e.Status.InFlightOnPrevious))
            .Should().Equal((KeyAdoptionState.Waiting, 1, 0L), (KeyAdoptionState.Waiting, 1, 2L), (KeyAdoptionState.Adopted, 0, 0L));
        var events = harness.Shared.Events.All.ToList();
        events.IndexOf(events.OfType<KeyAdoptionProgressed>().Last()).Should().BeLessThan(events.IndexOf(events.OfType<KeyRevoked>().Single()));
    }

    [Fact]
    public async Task Resume_InstanceNeverMoves_RevokesAtTheCeilingAndSaysSo()
    {
        using var harness = Harness();
        var heartbeats = harness.Services.GetRequiredService<IInstanceHeartbeatStore>();
        var (registered, _) = await harness.RegisterAsync(policy: new RotationPolicy { GracePeriod = Grace });
        var oldVersion = registered.CurrentVersion!.VersionId;
        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);
        harness.Clock.AdvanceMinutes(10);
        await Beat(heartbeats, harness, "stuck", Served(registered.Reference, oldVersion, inFlight: 1));
        (await harness.Rotator.ResumeAsync(operation.OperationId)).Step.Should().Be(RotationStep.GracePeriod);

        harness.Clock.Advance(Grace);
        await Beat(heartbeats, harness, "stuck", Served(registered.Reference, oldVersion, inFlight: 1));
        var finished = await harness.Rotator.ResumeAsync(operation.OperationId);

        finished.Step.Should().Be(RotationStep.Completed, "never kept past the ceiling");
        finished.Adoption!.State.Should().Be(KeyAdoptionState.CeilingReached);
        harness.Shared.Events.All.OfType<KeyAdoptionProgressed>().Last().Status.State.Should().Be(KeyAdoptionState.CeilingReached);
        (await harness.Keys.GetAsync(registered.Reference)).FindVersion(oldVersion)!.Stage.Should().Be(KeyStage.Revoked);
    }

    [Fact]
    public async Task Resume_BeforeFloor_DoesNotRevokeEvenWhenEveryoneMoved()
    {
        using var harness = Harness();
        var heartbeats = harness.Services.GetRequiredService<IInstanceHeartbeatStore>();
        var (registered, _) = await harness.RegisterAsync(policy: new RotationPolicy { GracePeriod = Grace });
        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);
        await Beat(heartbeats, harness, "a", Served(registered.Reference, operation.NewVersionId));

        harness.Clock.AdvanceMinutes(4);
        (await harness.Rotator.ResumeAsync(operation.OperationId)).Step.Should().Be(RotationStep.GracePeriod);
        harness.Provider.LiveKeyIds.Should().HaveCount(2);

        harness.Clock.AdvanceMinutes(1);
        await Beat(heartbeats, harness, "a", Served(registered.Reference, operation.NewVersionId));
        (await harness.Rotator.ResumeAsync(operation.OperationId)).Step.Should().Be(RotationStep.Completed);
    }

    [Fact]
    public async Task Resume_ReporterNotAdopted_WaitsForIt()
    {
        var reporter = new SwitchReporter("k8s/deploy/api");
        using var harness = Harness(b => b.AddKeyAdoptionReporter(reporter));
        var (registered, _) = await harness.RegisterAsync(policy: new RotationPolicy { GracePeriod = Grace });
        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);
        harness.Clock.AdvanceMinutes(5);

        operation = await harness.Rotator.ResumeAsync(operation.OperationId);
        operation.Step.Should().Be(RotationStep.GracePeriod);
        operation.Adoption!.PendingConsumers.Should().Equal("k8s/deploy/api");

        reporter.Adopted = true;
        harness.Clock.AdvanceSeconds(30);
        (await harness.Rotator.ResumeAsync(operation.OperationId)).Step.Should().Be(RotationStep.Completed);
    }

    [Fact]
    public async Task Rotate_Emergency_DoesNotWaitForAdoption()
    {
        using var harness = Harness();
        var heartbeats = harness.Services.GetRequiredService<IInstanceHeartbeatStore>();
        var (registered, _) = await harness.RegisterAsync(policy: new RotationPolicy { GracePeriod = Grace });
        await Beat(heartbeats, harness, "a", Served(registered.Reference, registered.CurrentVersion!.VersionId, inFlight: 5));

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised);

        operation.Step.Should().Be(RotationStep.Completed, "a compromised key has no grace period and waits for no one");
        operation.AdoptionNotBefore.Should().BeNull();
    }

    [Fact]
    public async Task Rotate_AdoptionOff_KeepsTheTimerBehaviour()
    {
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI));
        var (registered, _) = await harness.RegisterAsync(policy: new RotationPolicy { GracePeriod = Grace });

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);

        operation.AdoptionNotBefore.Should().BeNull();
        harness.Clock.Advance(Grace);
        (await harness.Rotator.ResumeAsync(operation.OperationId)).Step.Should().Be(RotationStep.Completed);
    }

    [Theory]
    [InlineData("floor")]
    [InlineData("timeout")]
    [InlineData("interval")]
    public async Task WaitForKeyAdoption_InvalidOption_FailsAtStart(string which)
    {
        var services = new ServiceCollection();
        services.AddIronCage().ProtectKeysWithMasterKey(Encryption.LocalMasterKeyProvider.GenerateMasterKey()).WaitForKeyAdoption(o =>
        {
            switch (which)
            {
                case "floor":
                    o.AdoptionFloor = Duration.FromMinutes(-1);
                    break;
                case "timeout":
                    o.InstanceTimeout = Duration.Zero;
                    break;
                default:
                    o.AdoptionCheckInterval = Duration.Zero;
                    break;
            }
        });
        await using var provider = services.BuildServiceProvider();

        var read = () => provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<RotationOptions>>().Value;

        read.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage(which switch { "floor" => "*AdoptionFloor*", "timeout" => "*InstanceTimeout*", _ => "*AdoptionCheckInterval*" });
    }

    private static RotationHarness Harness(Action<IIronCageBuilder>? extend = null)
        => new(FakeProviderAdapter.For(ProviderId.OpenAI), extend: b =>
        {
            b.WaitForKeyAdoption();
            extend?.Invoke(b);
        });

    private static ServedKeyVersion Served(KeyReference key, string versionId, bool serving = true, long inFlight = 0)
        => new() { Key = key, VersionId = versionId, Serving = serving, InFlight = inFlight };

    private static ValueTask Beat(IInstanceHeartbeatStore store, RotationHarness harness, string instance, params ServedKeyVersion[] versions)
        => store.WriteAsync(new InstanceHeartbeat { InstanceId = instance, SentAt = harness.Clock.GetCurrentInstant(), Versions = versions });

    private sealed class SwitchReporter(string name) : IKeyAdoptionReporter
    {
        public string Name { get; } = name;

        public bool Adopted { get; set; }

        public bool AppliesTo(ManagedKey key) => true;

        public ValueTask<bool> HasAdoptedAsync(ManagedKey key, string versionId, CancellationToken cancellationToken = default) => ValueTask.FromResult(Adopted);
    }
}
