using System.Collections.Concurrent;
using IronCage.Auditing;
using IronCage.Testing;

namespace IronCage.Rotation.Tests.Distribution;

/// <summary>The distribution step target by target: confirmations recorded on the operation, resumed without duplicates, retried with the step policy, restored on rollback, and written first in an emergency.</summary>
public sealed class ResumableDistributionTests
{
    [Fact]
    public async Task RotateAsync_ThreeTargets_RecordsEachConfirmationWithItsTargetVersionAndAuditsEach()
    {
        CountingTarget[] targets = [new("vault"), new("k8s"), new("file")];
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI), extend: b => Add(b, targets));
        var (registered, _) = await harness.RegisterAsync();

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised);

        operation.Step.Should().Be(RotationStep.Completed);
        operation.DistributedTo.Select(c => (c.Target, c.TargetVersion)).Should().BeEquivalentTo([("vault", "vault-v1"), ("k8s", "k8s-v1"), ("file", "file-v1")]);
        targets.Should().AllSatisfy(t => t.Calls.Should().Be(1));
        var audit = await AuditAsync(harness);
        audit.Where(e => e.Details.GetValueOrDefault("step") == "distributed-to-target")
            .Select(e => (e.Details["target"], e.Details["targetVersion"], e.Details["version"]))
            .Should().BeEquivalentTo([("vault", "vault-v1", operation.NewVersionId), ("k8s", "k8s-v1", operation.NewVersionId), ("file", "file-v1", operation.NewVersionId)]);
    }

    [Fact]
    public async Task ResumeAsync_CrashBetweenTwoTargets_CallsOnlyTheUnconfirmedTargets()
    {
        CountingTarget[] targets = [new("vault"), new("k8s"), new("file")];
        var shared = new RotationHarness.SharedState();
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        var crashed = 0;
        using var first = new RotationHarness(provider, shared: shared, configure: o => o.AfterStep = (operation, _) =>
            operation.Step == RotationStep.Verified && operation.DistributedTo.Count == 1 && Interlocked.Exchange(ref crashed, 1) == 0 ? throw new SimulatedCrash() : ValueTask.CompletedTask, extend: b => Add(b, targets));
        var (registered, _) = await first.RegisterAsync();
        var rotate = async () => await first.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);
        await rotate.Should().ThrowAsync<SimulatedCrash>();
        var stopped = await shared.Operations.FindActiveAsync(registered.Reference);
        stopped!.Step.Should().Be(RotationStep.Verified);
        stopped.DistributedTo.Select(c => c.Target).Should().Equal("vault");

        using var second = new RotationHarness(provider, first.Clock, shared, extend: b => Add(b, targets));
        var resumed = await second.Rotator.ResumeAsync(stopped.OperationId);

        resumed.Step.Should().Be(RotationStep.GracePeriod);
        resumed.DistributedTo.Select(c => c.Target).Should().Equal("vault", "k8s", "file");
        targets.Select(t => t.Calls).Should().Equal([1, 1, 1], "a confirmed target is never called again");
        (await AuditAsync(second)).Count(e => e.Details.GetValueOrDefault("step") == "distributed-to-target").Should().Be(3, "one record per target, no duplicates");
    }

    [Fact]
    public async Task RotateAsync_TargetFailsTransientlyWithinImmediateRetries_RetriesOnlyThatTarget()
    {
        var vault = new CountingTarget("vault");
        var flaky = new CountingTarget("flaky") { FailuresLeft = 2 };
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI), extend: b => Add(b, [vault, flaky]));
        var (registered, _) = await harness.RegisterAsync();

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);

        operation.Step.Should().Be(RotationStep.GracePeriod);
        vault.Calls.Should().Be(1, "the confirmed target is not called again by the step's retries");
        flaky.Calls.Should().Be(3, "ImmediateRetries (2) retries at once before the step is deferred");
    }

    [Fact]
    public async Task RotateAsync_TargetKeepsFailing_IsRetriedWithinTheBoundThenRolledBackAndConfirmedTargetsRestored()
    {
        var vault = new CountingTarget("vault");
        var broken = new CountingTarget("broken") { FailuresLeft = int.MaxValue };
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider, configure: o => o.MaxAttempts = 2, extend: b => Add(b, [vault, broken]));
        var (registered, oldSecret) = await harness.RegisterAsync();

        var deferred = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);
        deferred.Step.Should().Be(RotationStep.Verified);
        deferred.NextAttemptAt.Should().Be(harness.Clock.GetCurrentInstant() + NodaTime.Duration.FromMinutes(1), "a failing target defers the step with the step back-off");
        harness.Clock.AdvanceMinutes(1);
        var failed = await harness.Rotator.ResumeAsync(deferred.OperationId);

        failed.Step.Should().Be(RotationStep.Failed);
        broken.Calls.Should().Be(6, "at most (ImmediateRetries + 1) × MaxAttempts calls");
        vault.Calls.Should().Be(1);
        vault.Restores.Should().Equal([registered.CurrentVersion!.VersionId], "the confirmed target gets the version that stays current");
        vault.Value.Should().Be(oldSecret.Reveal());
        broken.Restores.Should().BeEmpty("a target that never confirmed has nothing to restore");
        var key = await harness.Keys.GetAsync(registered.Reference);
        key.CurrentVersion!.VersionId.Should().Be(registered.CurrentVersion.VersionId);
        await harness.AssertInvariantsAsync(registered.Reference, maxLiveKeys: 1);
    }

    [Fact]
    public async Task RotateAsync_RestoreFailsTransiently_TheNewKeyStaysLiveUntilTheTargetHoldsTheOldKeyAgain()
    {
        var vault = new CountingTarget("vault") { RestoreFailuresLeft = 3 };
        var k8s = new CountingTarget("k8s");
        var refusing = new CountingTarget("gateway") { FailuresLeft = 1, Failure = () => new IronCageException("The gateway refused the write: the token lacks ai_gateway scope.") };
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider, extend: b => Add(b, [vault, k8s, refusing]));
        var (registered, oldSecret) = await harness.RegisterAsync();

        var waiting = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);

        waiting.IsFinished.Should().BeFalse("vault still holds the new key: discarding it now would cut off vault's consumers");
        waiting.RollbackReason.Should().Contain("ai_gateway scope");
        waiting.NextAttemptAt.Should().Be(harness.Clock.GetCurrentInstant() + NodaTime.Duration.FromMinutes(1), "the rollback waits with the step back-off");
        waiting.LastError.Should().Contain("Rollback waits").And.Contain("'vault' could not be restored");
        waiting.DistributedTo.Select(c => c.Target).Should().Equal(["vault"], "k8s already holds the old key again");
        vault.RestoreCalls.Should().Be(3, "ImmediateRetries (2) retries at once before the rollback waits");
        provider.LiveKeyIds.Should().HaveCount(2, "the new key is still live at the provider");
        k8s.Value.Should().Be(oldSecret.Reveal());
        var plan = await harness.Rotator.PlanAsync(harness.Clock.GetCurrentInstant());
        plan.Items.Single(i => i.Key == registered.Reference).Detail.Should().Contain("is rolling back and waits for vault");

        harness.Clock.AdvanceMinutes(1);
        var failed = await harness.Rotator.ResumeAsync(waiting.OperationId);

        failed.Step.Should().Be(RotationStep.Failed);
        failed.RollbackReason.Should().BeNull();
        failed.LastError.Should().Contain("ai_gateway scope").And.NotContain("could not be restored");
        vault.Value.Should().Be(oldSecret.Reveal());
        k8s.Restores.Should().HaveCount(1, "a target restored in the first attempt is not called again");
        provider.LiveKeyIds.Should().HaveCount(1, "the new key is discarded once every target holds the old one");
        (await AuditAsync(harness)).Count(e => e.Details.GetValueOrDefault("step") == "target-restored").Should().Be(2);
        await harness.AssertInvariantsAsync(registered.Reference, maxLiveKeys: 1);
    }

    [Fact]
    public async Task RotateAsync_RestoreKeepsFailing_DiscardsTheNewKeyWhenTheAttemptsRunOutAndSaysWhichTargetHoldsIt()
    {
        var vault = new CountingTarget("vault") { RestoreFailuresLeft = int.MaxValue };
        var refusing = new CountingTarget("gateway") { FailuresLeft = 1, Failure = () => new IronCageException("The gateway refused the write.") };
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider, configure: o => o.MaxAttempts = 2, extend: b => Add(b, [vault, refusing]));
        var (registered, _) = await harness.RegisterAsync();

        var waiting = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);
        harness.Clock.AdvanceMinutes(1);
        var failed = await harness.Rotator.ResumeAsync(waiting.OperationId);

        waiting.IsFinished.Should().BeFalse();
        failed.Step.Should().Be(RotationStep.Failed);
        failed.LastError.Should().Contain("the distribution target 'vault' could not be restored");
        vault.RestoreCalls.Should().Be(6, "(ImmediateRetries + 1) × MaxAttempts");
        provider.LiveKeyIds.Should().HaveCount(1, "once the attempts run out the new key is discarded anyway, and the message names the target that still holds it");
    }

    [Fact]
    public async Task CancelAsync_RestoreFailsTransiently_RollsBackAtOnce()
    {
        var vault = new CountingTarget("vault") { RestoreFailuresLeft = int.MaxValue };
        var flaky = new CountingTarget("flaky") { FailuresLeft = int.MaxValue };
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI), extend: b => Add(b, [vault, flaky]));
        var (registered, _) = await harness.RegisterAsync();
        var deferred = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);

        var cancelled = await harness.Rotator.CancelAsync(registered.Reference, new RotationRequest { Actor = "ops" });

        deferred.Step.Should().Be(RotationStep.Verified, "the flaky target deferred the distribution step");
        cancelled.Step.Should().Be(RotationStep.Failed, "a person cancelling does not wait for a target");
        cancelled.LastError.Should().Contain("Cancelled by ops").And.Contain("'vault' could not be restored");
    }

    [Fact]
    public async Task RotateAsync_LaterTargetRefuses_RollbackRestoresEveryConfirmedTarget()
    {
        CountingTarget[] confirmed = [new("vault"), new("k8s")];
        var refusing = new CountingTarget("gateway") { FailuresLeft = 1, Failure = () => new IronCageException("The gateway refused the write: the token lacks ai_gateway scope.") };
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI), extend: b => Add(b, [.. confirmed, refusing]));
        var (registered, oldSecret) = await harness.RegisterAsync();

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);

        operation.Step.Should().Be(RotationStep.Failed);
        operation.LastError.Should().Contain("ai_gateway scope");
        confirmed.Should().AllSatisfy(t =>
        {
            t.Restores.Should().Equal([registered.CurrentVersion!.VersionId]);
            t.Value.Should().Be(oldSecret.Reveal());
        });
        (await AuditAsync(harness)).Count(e => e.Details.GetValueOrDefault("step") == "target-restored").Should().Be(2);
        harness.Shared.Logs.Lines.Should().NotContain(l => l.Contains(oldSecret.Reveal(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task RotateAsync_Emergency_WritesEveryTargetBeforeAnyStoreWriteAndBeforeTheOldKeyIsRevoked()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        var writes = new ConcurrentQueue<(RotationStep Step, int Confirmed)>();
        var oldLiveWhenWritten = new ConcurrentQueue<bool>();
        string? oldId = null;
        CountingTarget[] targets = [new("vault"), new("k8s"), new("file")];
        foreach (var target in targets)
        {
            target.OnWrite = _ => oldLiveWhenWritten.Enqueue(provider.LiveKeyIds.Contains(oldId!));
        }

        using var harness = new RotationHarness(provider, configure: o => o.AfterStep = (operation, _) =>
        {
            writes.Enqueue((operation.Step, operation.DistributedTo.Count));
            return ValueTask.CompletedTask;
        }, extend: b => Add(b, targets));
        var (registered, _) = await harness.RegisterAsync();
        oldId = registered.CurrentVersion!.ProviderKeyId;

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised);

        operation.Step.Should().Be(RotationStep.Completed);
        writes.Should().NotContain(w => w.Step == RotationStep.Verified && w.Confirmed > 0, "no store write sits between the target writes in an emergency");
        writes.Should().Contain((RotationStep.Distributed, 3), "all confirmations are recorded with the step");
        oldLiveWhenWritten.Should().HaveCount(3).And.AllSatisfy(live => live.Should().BeTrue("targets are written before the compromised key is revoked"));
        provider.LiveKeyIds.Should().Equal([operation.NewProviderKeyId]);
    }

    [Fact]
    public async Task RotateAsync_EmergencyRevokeFirst_TargetsHoldTheRevokedKeyUntilTheNewOneIsWritten()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        string? oldId = null;
        var oldLiveWhenWritten = new ConcurrentQueue<bool>();
        var target = new CountingTarget("vault");
        target.OnWrite = _ => oldLiveWhenWritten.Enqueue(provider.LiveKeyIds.Contains(oldId!));
        using var harness = new RotationHarness(provider, extend: b => b.AddKeyDistributionTarget(target));
        var (registered, _) = await harness.RegisterAsync();
        oldId = registered.CurrentVersion!.ProviderKeyId;

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised, new RotationRequest { Actor = "oncall", RevokeFirst = true });

        operation.Step.Should().Be(RotationStep.Completed);
        oldLiveWhenWritten.Should().Equal([false], "with revokeFirst the old key is dead at the provider before the target gets the new one");
        target.VersionId.Should().Be(operation.NewVersionId);
    }

    [Fact]
    public async Task RotateAsync_EmergencyOneTargetFails_RecordsTheOthersAndRetriesOnlyTheFailedOne()
    {
        var vault = new CountingTarget("vault");
        var flaky = new CountingTarget("flaky") { FailuresLeft = 1 };
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI), extend: b => Add(b, [vault, flaky]));
        var (registered, _) = await harness.RegisterAsync();

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised);

        operation.Step.Should().Be(RotationStep.Completed);
        vault.Calls.Should().Be(1);
        flaky.Calls.Should().Be(2);
        operation.DistributedTo.Select(c => c.Target).Should().BeEquivalentTo(["vault", "flaky"]);
    }

    private static void Add(IIronCageBuilder builder, IEnumerable<IKeyDistributionTarget> targets)
    {
        foreach (var target in targets)
        {
            builder.AddKeyDistributionTarget(target);
        }
    }

    private static async Task<List<AuditEvent>> AuditAsync(RotationHarness harness)
    {
        var events = new List<AuditEvent>();
        await foreach (var record in harness.Shared.Audit.ReadAsync())
        {
            events.Add(record.Event);
        }

        return events;
    }

    private sealed class SimulatedCrash : Exception;
}
