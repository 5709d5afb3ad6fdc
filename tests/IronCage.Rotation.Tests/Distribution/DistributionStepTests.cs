using System.Collections.Concurrent;
using IronCage.Auditing;
using IronCage.Testing;

namespace IronCage.Rotation.Tests.Distribution;

/// <summary>The distribution step: between verification and promotion, every target gets the verified new key; a target that fails rolls the rotation back.</summary>
public sealed class DistributionStepTests
{
    [Fact]
    public async Task RotateAsync_NoTargetRegistered_RecordsDistributedStepAndCompletes()
    {
        var steps = new ConcurrentQueue<RotationStep>();
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI), configure: o => o.AfterStep = (operation, _) =>
        {
            steps.Enqueue(operation.Step);
            return ValueTask.CompletedTask;
        });
        var (registered, _) = await harness.RegisterAsync();

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised);

        operation.Step.Should().Be(RotationStep.Completed);
        steps.Should().ContainInConsecutiveOrder(RotationStep.Verified, RotationStep.Distributed, RotationStep.Promoted);
    }

    [Fact]
    public async Task RotateAsync_TargetRegistered_TargetGetsVerifiedKeyBeforePromotion()
    {
        var target = new RecordingTarget();
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI), extend: b => b.AddKeyDistributionTarget(target));
        var (registered, oldSecret) = await harness.RegisterAsync();

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised);

        operation.Step.Should().Be(RotationStep.Completed);
        var written = target.Writes.Should().ContainSingle().Subject;
        written.VersionId.Should().Be(operation.NewVersionId);
        written.StageWhenWritten.Should().Be(KeyStage.Pending, "targets get the key before it is promoted");
        written.CurrentWhenWritten.Should().Be(registered.CurrentVersion!.VersionId, "the old key is still current while targets are written");
        var key = await harness.Keys.GetAsync(registered.Reference);
        using (var current = await harness.OpenAsync(key.CurrentVersion!, registered.Reference))
        {
            current.UseChars(written.Value, static (chars, value) => chars.SequenceEqual(value)).Should().BeTrue("the target got the value that became current");
            oldSecret.UseChars(written.Value, static (chars, value) => chars.SequenceEqual(value)).Should().BeFalse();
        }

        var audit = new List<AuditRecord>();
        await foreach (var record in harness.Shared.Audit.ReadAsync())
        {
            audit.Add(record);
        }

        audit.Should().Contain(r => r.Event.Details.GetValueOrDefault("step") == "distributed" && r.Event.Details.GetValueOrDefault("targets") == "recording");
        harness.Shared.Logs.Lines.Should().NotContain(l => l.Contains(written.Value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RotateAsync_TargetFails_RollsBackAndKeepsOldKeyCurrent()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        var target = new RecordingTarget { Failure = new IronCageException("The vault refused the write.") };
        using var harness = new RotationHarness(provider, extend: b => b.AddKeyDistributionTarget(target));
        var (registered, _) = await harness.RegisterAsync();

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);

        operation.Step.Should().Be(RotationStep.Failed);
        operation.LastError.Should().Contain("The vault refused the write.");
        var key = await harness.Keys.GetAsync(registered.Reference);
        key.CurrentVersion!.VersionId.Should().Be(registered.CurrentVersion!.VersionId, "a failure before promotion keeps the old key current");
        key.FindVersion(operation.NewVersionId)!.Stage.Should().Be(KeyStage.Revoked);
        provider.CallsTo(FakeProviderOperation.Delete).Select(c => c.ProviderKeyId).Should().Equal([operation.NewProviderKeyId], "the new key is removed at the provider");
        provider.LiveKeyIds.Should().Equal([registered.CurrentVersion.ProviderKeyId]);
        harness.Shared.Events.All.OfType<RotationFailed>().Should().ContainSingle().Which.Step.Should().Be(RotationStep.Verified);
        await harness.AssertInvariantsAsync(registered.Reference, maxLiveKeys: 1);
    }

    [Fact]
    public async Task RotateAsync_TargetDoesNotApplyToKey_IsNotCalled()
    {
        var target = new RecordingTarget { Applies = _ => false };
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI), extend: b => b.AddKeyDistributionTarget(target));
        var (registered, _) = await harness.RegisterAsync();

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised);

        operation.Step.Should().Be(RotationStep.Completed);
        target.Writes.Should().BeEmpty();
    }

    [Fact]
    public async Task ResumeAsync_CrashAfterDistributed_PromotesWithoutDistributingAgain()
    {
        var target = new RecordingTarget();
        var shared = new RotationHarness.SharedState();
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var first = new RotationHarness(provider, shared: shared, configure: o => o.AfterStep = (operation, _) =>
            operation.Step == RotationStep.Distributed ? throw new SimulatedCrash() : ValueTask.CompletedTask, extend: b => b.AddKeyDistributionTarget(target));
        var (registered, _) = await first.RegisterAsync();
        var crashed = async () => await first.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised);
        await crashed.Should().ThrowAsync<SimulatedCrash>();
        var stopped = await shared.Operations.FindActiveAsync(registered.Reference);

        using var second = new RotationHarness(provider, first.Clock, shared, extend: b => b.AddKeyDistributionTarget(target));
        var resumed = await second.Rotator.ResumeAsync(stopped!.OperationId);

        stopped.Step.Should().Be(RotationStep.Distributed);
        resumed.Step.Should().Be(RotationStep.Completed);
        target.Writes.Should().ContainSingle("a recorded step is not run again");
    }

    private sealed class SimulatedCrash : Exception;

    private sealed class RecordingTarget : IKeyDistributionTarget
    {
        private readonly ConcurrentQueue<Write> _writes = new();

        public string Name => "recording";

        public Exception? Failure { get; init; }

        public Func<ManagedKey, bool> Applies { get; init; } = _ => true;

        public IReadOnlyList<Write> Writes => [.. _writes];

        public bool AppliesTo(ManagedKey key) => Applies(key);

        public Task<KeyDistributionReceipt> DistributeAsync(KeyDistribution distribution, CancellationToken cancellationToken = default)
        {
            if (Failure is not null)
            {
                throw Failure;
            }

            var value = distribution.Secret.Reveal();
            _writes.Enqueue(new Write(distribution.Version.VersionId, distribution.Version.Stage, distribution.Key.CurrentVersion?.VersionId, value));
            return Task.FromResult(KeyDistributionReceipt.Confirmed);
        }

        public Task RestoreAsync(KeyDistribution previous, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }

    private sealed record Write(string VersionId, KeyStage StageWhenWritten, string? CurrentWhenWritten, string Value);
}
