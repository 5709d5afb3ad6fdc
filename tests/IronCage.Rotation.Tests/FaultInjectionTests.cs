using System.Collections.Concurrent;
using IronCage.Auditing;
using IronCage.Providers;
using IronCage.Testing;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Rotation.Tests;

/// <summary>
/// Fault injection: for each tier and each step, the process crashes after the step (a new engine on the same stores
/// resumes) and the provider fails at the step (transiently, then for good). After every scenario: exactly one Current
/// version, no key left live at the provider beyond the allowed set, no secret lost, the old key never revoked before
/// the grace period ended (or before the new key was verified, for emergencies), the audit chain verifies, and no key
/// value in any log line, exception, operation or event.
/// </summary>
public sealed class FaultInjectionTests
{
    private static readonly Duration DefaultGrace = Duration.FromHours(24);

    private static readonly RotationTier[] CreatingTiers = [RotationTier.Automatic, RotationTier.CreateThenDelete];

    private static readonly RotationTier[] ProviderTiers = Enum.GetValues<RotationTier>();

    private static readonly RotationStep[] StepsAfterCreate =
    [
        RotationStep.CreatedAtProvider,
        RotationStep.StoredPending,
        RotationStep.Verified,
        RotationStep.Distributed,
        RotationStep.Promoted,
        RotationStep.GracePeriod,
        RotationStep.PreviousRevoked,
    ];

    public static TheoryData<RotationTier, RotationStep> CrashPoints
    {
        get
        {
            var data = new TheoryData<RotationTier, RotationStep>();
            foreach (var tier in ProviderTiers)
            {
                // Creating tiers persist Requested once more, with CreateAttempted, just before they call the provider.
                if (CreatingTiers.Contains(tier))
                {
                    data.Add(tier, RotationStep.Requested);
                }

                foreach (var step in StepsAfterCreate)
                {
                    data.Add(tier, step);
                }
            }

            return data;
        }
    }

    // (tier, revoke first, step, occurrence): with RevokeFirst, Requested is persisted twice (revoked early, then create attempted).
    public static TheoryData<RotationTier, bool, RotationStep, int> EmergencyCrashPoints
    {
        get
        {
            var data = new TheoryData<RotationTier, bool, RotationStep, int>();
            foreach (var tier in CreatingTiers)
            {
                foreach (var revokeFirst in new[] { false, true })
                {
                    data.Add(tier, revokeFirst, RotationStep.Requested, 1);
                    if (revokeFirst)
                    {
                        data.Add(tier, revokeFirst, RotationStep.Requested, 2);
                    }

                    foreach (var step in StepsAfterCreate)
                    {
                        data.Add(tier, revokeFirst, step, 1);
                    }
                }
            }

            return data;
        }
    }

    // (tier, the step the provider fails at, the failing operation): Requested = creating the key, StoredPending =
    // verifying it, GracePeriod = revoking the old one.
    public static TheoryData<RotationTier, RotationStep, FakeProviderOperation> ProviderSteps
    {
        get
        {
            var data = new TheoryData<RotationTier, RotationStep, FakeProviderOperation>();
            foreach (var tier in ProviderTiers)
            {
                if (CreateOperation(tier) is { } create)
                {
                    data.Add(tier, RotationStep.Requested, create);
                }

                data.Add(tier, RotationStep.StoredPending, FakeProviderOperation.Verify);
                if (RevokeOperation(tier) is { } revoke)
                {
                    data.Add(tier, RotationStep.GracePeriod, revoke);
                }
            }

            return data;
        }
    }

    public static TheoryData<RotationTier, RotationStep, FakeProviderOperation> StepsBeforePromotion
    {
        get
        {
            var data = new TheoryData<RotationTier, RotationStep, FakeProviderOperation>();
            foreach (var (tier, step, operation) in ProviderSteps.Select(row => ((RotationTier)row[0], (RotationStep)row[1], (FakeProviderOperation)row[2])))
            {
                if (step != RotationStep.GracePeriod)
                {
                    data.Add(tier, step, operation);
                }
            }

            return data;
        }
    }

    public static TheoryData<RotationTier, FakeProviderOperation> RevocationSteps
    {
        get
        {
            var data = new TheoryData<RotationTier, FakeProviderOperation>();
            foreach (var tier in ProviderTiers)
            {
                if (RevokeOperation(tier) is { } revoke)
                {
                    data.Add(tier, revoke);
                }
            }

            return data;
        }
    }

    // ---- 1. The process crashes after each step; a new engine on the same stores resumes. ----

    [Theory]
    [MemberData(nameof(CrashPoints))]
    public async Task Crash_AfterEachStep_ANewEngineResumesAndCompletes(RotationTier tier, RotationStep step)
    {
        using var scenario = new Scenario(tier);
        var first = scenario.Engine(crashWhen: AtStep(step));
        await scenario.RegisterAsync(first);

        var crash = await scenario.ExpectCrashAsync(() => scenario.RunAsync(first));
        crash.Step.Should().Be(step);
        if (step < RotationStep.PreviousRevoked)
        {
            scenario.Provider.IsAccepted(scenario.OldSecret).Should().BeTrue("the old key keeps working while the rotation is down");
        }

        var active = await scenario.Shared.Operations.FindActiveAsync(scenario.Reference);
        active.Should().NotBeNull("the interrupted rotation is recorded");
        active!.Step.Should().Be(step);
        var done = await scenario.ResumeOnNewEngineAsync();

        await scenario.AssertCompletedAsync(done);
    }

    [Theory]
    [InlineData(RotationTier.Automatic)]
    [InlineData(RotationTier.CreateThenDelete)]
    public async Task Crash_BetweenTheProvidersCreateAndRecordingItsAnswer_TheOrphanIsFoundByNameAndRemoved(RotationTier tier)
    {
        using var scenario = new Scenario(tier);
        var first = scenario.Engine();
        await scenario.RegisterAsync(first);
        scenario.Provider.On(FakeProviderOperation.Create).Throw(new SimulatedCrashException(RotationStep.Requested), afterSideEffects: true);

        await scenario.ExpectCrashAsync(() => scenario.RunAsync(first));

        var active = (await scenario.Shared.Operations.FindActiveAsync(scenario.Reference))!;
        active.Step.Should().Be(RotationStep.Requested);
        active.CreateAttempted.Should().BeTrue();
        active.NewProviderKeyId.Should().BeNull("the engine never recorded the provider's answer");
        var orphan = scenario.Provider.Keys.Should().ContainSingle(k => k.Name == active.ProviderKeyName).Which;
        orphan.Status.Should().Be(ProviderKeyStatus.Active, "the provider did create the key");

        var done = await scenario.ResumeOnNewEngineAsync();

        scenario.Provider.Keys.Single(k => k.ProviderKeyId == orphan.ProviderKeyId).Status.Should().Be(ProviderKeyStatus.Deleted, "the resumed rotation removed the orphan");
        scenario.Provider.CallsTo(FakeProviderOperation.Delete).Should().Contain(c => c.ProviderKeyId == orphan.ProviderKeyId && c.Outcome == FakeCallOutcome.Succeeded);
        done.NewProviderKeyId.Should().NotBe(orphan.ProviderKeyId);
        scenario.Shared.Logs.Lines.Should().Contain(l => l.Contains(orphan.ProviderKeyId) && l.Contains("found by its name and removed"));
        await scenario.AssertCompletedAsync(done);
    }

    [Theory]
    [MemberData(nameof(ProviderSteps))]
    public async Task Crash_InsideEachProviderCallAfterTheProviderActed_ANewEngineResumesAndCompletes(RotationTier tier, RotationStep step, FakeProviderOperation operation)
    {
        using var scenario = new Scenario(tier);
        var first = scenario.Engine();
        await scenario.RegisterAsync(first);

        await scenario.ExpectCrashAsync(() => scenario.RunAsync(first, atStep: step, script: () => scenario.Provider.On(operation).Throw(new SimulatedCrashException(step), afterSideEffects: true)));
        scenario.Provider.CallsTo(operation).Should().ContainSingle(c => c.Outcome == FakeCallOutcome.FailedAfterSideEffects);
        var done = await scenario.ResumeOnNewEngineAsync();

        if (tier == RotationTier.Generated && operation == FakeProviderOperation.Generate)
        {
            // Nothing can revoke the generated key the crash lost: no version holds it, so it is never served, and it
            // dies at its own expiry. It is the one live key beyond the allowed set.
            var lost = scenario.Provider.CallsTo(operation).Single(c => c.Outcome == FakeCallOutcome.FailedAfterSideEffects).ProviderKeyId;
            (await scenario.Shared.Keys.GetAsync(scenario.Reference)).Versions.Should().NotContain(v => v.ProviderKeyId == lost);
            scenario.Provider.Keys.Single(k => k.ProviderKeyId == lost).ExpiresAt.Should().NotBeNull();
            scenario.UnrevocableLeftovers = 1;
        }

        await scenario.AssertCompletedAsync(done);
    }

    [Fact]
    public async Task SupplyNewKey_ListingFailsTransiently_TheRotationWaitsAndThePersonCanSupplyAgain()
    {
        using var scenario = new Scenario(RotationTier.SemiAutomatic);
        var engine = scenario.Engine();
        await scenario.RegisterAsync(engine);
        scenario.Provider.On(FakeProviderOperation.List).Fail(ProviderErrorKind.Transient);

        var failure = (await scenario.Awaiting(s => s.StartAsync(engine)).Should().ThrowAsync<ProviderRequestException>()).Which;
        scenario.Capture(failure);
        failure.Kind.Should().Be(ProviderErrorKind.Transient);
        var waiting = (await scenario.Shared.Operations.FindActiveAsync(scenario.Reference))!;
        waiting.Step.Should().Be(RotationStep.AwaitingNewKey, "nothing was recorded for the key that could not be looked up");

        var operation = await engine.Rotator.SupplyNewKeyAsync(scenario.Reference, scenario.SuppliedSecret!);
        operation.OperationId.Should().Be(waiting.OperationId);
        var done = await scenario.DriveAsync(engine, operation);
        await scenario.AssertCompletedAsync(done);
    }

    [Fact]
    public async Task Crash_TwiceInARow_EachRestartResumesWhereTheLastOneStopped()
    {
        using var scenario = new Scenario(RotationTier.Automatic);
        var first = scenario.Engine(crashWhen: AtStep(RotationStep.CreatedAtProvider));
        await scenario.RegisterAsync(first);
        await scenario.ExpectCrashAsync(() => scenario.RunAsync(first));

        var second = scenario.Engine(crashWhen: AtStep(RotationStep.Verified));
        var active = (await second.Operations.FindActiveAsync(scenario.Reference))!;
        await scenario.ExpectCrashAsync(() => scenario.DriveAsync(second, active));

        var done = await scenario.ResumeOnNewEngineAsync();

        scenario.Provider.CallsTo(FakeProviderOperation.Create).Should().ContainSingle("a resumed rotation does not create a second key");
        await scenario.AssertCompletedAsync(done);
    }

    [Theory]
    [InlineData(RotationStep.Failed)]
    [InlineData(RotationStep.RevocationFailed)]
    public async Task Crash_RightAfterAFailureIsRecorded_TheAlertAndTheAuditRecordAreNotLost(RotationStep step)
    {
        using var scenario = new Scenario(RotationTier.Automatic);
        var first = scenario.Engine(crashWhen: AtStep(step));
        await scenario.RegisterAsync(first);

        await scenario.ExpectCrashAsync(() => step == RotationStep.Failed
            ? scenario.RunAsync(first, script: () => scenario.Provider.On(FakeProviderOperation.Create).Fail(ProviderErrorKind.Forbidden))
            : scenario.RunAsync(first, atStep: RotationStep.GracePeriod, script: () => scenario.Provider.On(FakeProviderOperation.Delete).FailAlways(ProviderErrorKind.Forbidden)));

        var ended = await scenario.LatestOperationAsync();
        ended.Step.Should().Be(step);
        (await scenario.Shared.Operations.FindActiveAsync(scenario.Reference)).Should().BeNull("nothing is left to resume");
        var failures = new List<AuditRecord>();
        await foreach (var record in scenario.Shared.Audit.ReadAsync())
        {
            if (record.Event.Outcome == AuditOutcome.Failure)
            {
                failures.Add(record);
            }
        }

        failures.Should().ContainSingle(r => r.Event.Details.GetValueOrDefault("operation") == ended.OperationId);
        if (step == RotationStep.Failed)
        {
            await scenario.AssertRolledBackAsync(ended, failedAt: RotationStep.Requested);
        }
        else
        {
            await scenario.AssertRevocationFailedAsync(ended);
        }
    }

    // ---- 2. The provider fails at a step. ----

    [Theory]
    [MemberData(nameof(ProviderSteps))]
    public async Task ProviderFailsTransientlyOnce_AtEachStep_IsRetriedAtOnceAndTheRotationCompletes(RotationTier tier, RotationStep step, FakeProviderOperation operation)
    {
        using var scenario = new Scenario(tier);
        var engine = scenario.Engine();
        await scenario.RegisterAsync(engine);

        var done = await scenario.RunAsync(engine, atStep: step, script: () => scenario.Provider.On(operation).Fail(ProviderErrorKind.Transient, times: 1));

        scenario.Provider.CallsTo(operation).Should().Contain(c => c.Outcome == FakeCallOutcome.Failed);
        await scenario.AssertCompletedAsync(done);
    }

    [Theory]
    [MemberData(nameof(ProviderSteps))]
    public async Task ProviderFailsTransientlyForAWhile_AtEachStep_IsDeferredRetriedLaterAndTheRotationCompletes(RotationTier tier, RotationStep step, FakeProviderOperation operation)
    {
        using var scenario = new Scenario(tier);
        var engine = scenario.Engine();
        await scenario.RegisterAsync(engine);
        var deferred = false;

        // More failures than immediate retries: the step is deferred (NextAttemptAt) and the FakeClock moves to it.
        var done = await scenario.RunAsync(engine, atStep: step, script: () => scenario.Provider.On(operation).Fail(ProviderErrorKind.RateLimited, times: 4), onDeferred: _ => deferred = true);

        deferred.Should().BeTrue("four failures outlast two immediate retries");
        await scenario.AssertCompletedAsync(done);
    }

    [Theory]
    [MemberData(nameof(StepsBeforePromotion))]
    public async Task ProviderFailsPermanently_BeforePromotion_RollsBackAndTheOldKeyStaysCurrent(RotationTier tier, RotationStep step, FakeProviderOperation operation)
    {
        using var scenario = new Scenario(tier);
        var engine = scenario.Engine();
        await scenario.RegisterAsync(engine);

        var failed = await scenario.RunAsync(engine, atStep: step, script: () =>
        {
            if (operation == FakeProviderOperation.Verify)
            {
                // The provider never accepts the new key: after VerifyPropagationAttempts rounds it is not a propagation delay.
                scenario.Provider.On(operation).FailAlways(ProviderErrorKind.InvalidKey);
            }
            else
            {
                scenario.Provider.On(operation).Fail(ProviderErrorKind.Forbidden);
            }
        });

        if (operation == FakeProviderOperation.Verify)
        {
            scenario.Provider.CallsTo(FakeProviderOperation.Verify).Count.Should().BeGreaterThanOrEqualTo(new RotationOptions().VerifyPropagationAttempts);
        }

        await scenario.AssertRolledBackAsync(failed, failedAt: step);
    }

    [Theory]
    [MemberData(nameof(StepsBeforePromotion))]
    public async Task ProviderFailsTransientlyBeyondMaxAttempts_BeforePromotion_RollsBack(RotationTier tier, RotationStep step, FakeProviderOperation operation)
    {
        using var scenario = new Scenario(tier);
        var engine = scenario.Engine();
        await scenario.RegisterAsync(engine);
        var deferrals = 0;

        var failed = await scenario.RunAsync(engine, atStep: step, script: () => scenario.Provider.On(operation).FailAlways(ProviderErrorKind.Transient), onDeferred: _ => deferrals++);

        var options = new RotationOptions();
        deferrals.Should().Be(options.MaxAttempts - 1, "every round but the last is deferred");
        failed.Attempts.Should().Be(options.MaxAttempts);
        scenario.Provider.CallsTo(operation).Count(c => c.Outcome == FakeCallOutcome.Failed).Should().Be(options.MaxAttempts * (options.ImmediateRetries + 1));
        await scenario.AssertRolledBackAsync(failed, failedAt: step);
    }

    [Theory]
    [InlineData(RotationTier.Automatic)]
    [InlineData(RotationTier.CreateThenDelete)]
    public async Task ProviderFailsTransientlyBeyondMaxAttempts_WithoutBackoff_RollsBackInOneCall(RotationTier tier)
    {
        using var scenario = new Scenario(tier);
        var engine = scenario.Engine(configure: o => o.Backoff = Duration.Zero);
        await scenario.RegisterAsync(engine);
        scenario.Provider.On(FakeProviderOperation.Create).FailAlways(ProviderErrorKind.Transient);

        var failed = await scenario.StartAsync(engine);

        failed.Step.Should().Be(RotationStep.Failed);
        await scenario.AssertRolledBackAsync(failed, failedAt: RotationStep.Requested);
    }

    [Theory]
    [InlineData(RotationTier.Automatic)]
    [InlineData(RotationTier.CreateThenDelete)]
    public async Task ProviderCreatesThenFailsTransiently_BeyondMaxAttempts_RollbackRemovesEveryKeyItCreated(RotationTier tier)
    {
        using var scenario = new Scenario(tier);
        var engine = scenario.Engine(configure: o => o.Backoff = Duration.Zero);
        await scenario.RegisterAsync(engine);
        var options = new RotationOptions();
        scenario.Provider.On(FakeProviderOperation.Create).FailAfterSideEffects(ProviderErrorKind.Transient, times: options.MaxAttempts * (options.ImmediateRetries + 1));

        var failed = await scenario.StartAsync(engine);

        scenario.Provider.CallsTo(FakeProviderOperation.Create).Should().OnlyContain(c => c.Outcome == FakeCallOutcome.FailedAfterSideEffects);
        await scenario.AssertRolledBackAsync(failed, failedAt: RotationStep.Requested);
    }

    [Theory]
    [InlineData(RotationTier.Automatic)]
    [InlineData(RotationTier.CreateThenDelete)]
    public async Task ProviderCreatesThenFailsPermanently_RollbackRemovesTheKeyItCreated(RotationTier tier)
    {
        using var scenario = new Scenario(tier);
        var engine = scenario.Engine();
        await scenario.RegisterAsync(engine);
        scenario.Provider.On(FakeProviderOperation.Create).FailAfterSideEffects(ProviderErrorKind.Forbidden);

        var failed = await scenario.StartAsync(engine);

        scenario.Provider.Keys.Should().Contain(k => k.Name == failed.ProviderKeyName, "the provider created the key before it failed");
        await scenario.AssertRolledBackAsync(failed, failedAt: RotationStep.Requested);
    }

    [Theory]
    [MemberData(nameof(RevocationSteps))]
    public async Task RevocationFailsTransiently_IsRetriedLaterAndCompletes(RotationTier tier, FakeProviderOperation operation)
    {
        using var scenario = new Scenario(tier);
        var engine = scenario.Engine();
        await scenario.RegisterAsync(engine);
        var deferredAt = new List<RotationStep>();

        var done = await scenario.RunAsync(engine, atStep: RotationStep.GracePeriod, script: () => scenario.Provider.On(operation).Fail(ProviderErrorKind.Transient, times: 5), onDeferred: o => deferredAt.Add(o.Step));

        deferredAt.Should().NotBeEmpty().And.OnlyContain(s => s == RotationStep.GracePeriod);
        await scenario.AssertCompletedAsync(done);
    }

    [Theory]
    [MemberData(nameof(RevocationSteps))]
    public async Task RevocationAlwaysFails_EndsRevocationFailed_TheNewKeyStaysCurrentAndAnOperatorIsAlerted(RotationTier tier, FakeProviderOperation operation)
    {
        foreach (var kind in new[] { ProviderErrorKind.Transient, ProviderErrorKind.Forbidden })
        {
            using var scenario = new Scenario(tier);
            var engine = scenario.Engine();
            await scenario.RegisterAsync(engine);

            var ended = await scenario.RunAsync(engine, atStep: RotationStep.GracePeriod, script: () => scenario.Provider.On(operation).FailAlways(kind));

            await scenario.AssertRevocationFailedAsync(ended);
        }
    }

    [Theory]
    [InlineData(RotationTier.Automatic, FakeProviderOperation.Delete)]
    [InlineData(RotationTier.CreateThenDelete, FakeProviderOperation.Delete)]
    [InlineData(RotationTier.SemiAutomatic, FakeProviderOperation.Deactivate)]
    public async Task RevocationFindsTheKeyAlreadyGone_CountsAsRevoked(RotationTier tier, FakeProviderOperation operation)
    {
        using var scenario = new Scenario(tier);
        var engine = scenario.Engine();
        await scenario.RegisterAsync(engine);

        // The provider removed the key (someone deleted it in the console, or an earlier call that looked failed did) and says 404.
        var done = await scenario.RunAsync(engine, atStep: RotationStep.GracePeriod, script: () => scenario.Provider.On(operation).FailAfterSideEffects(ProviderErrorKind.NotFound));

        scenario.Provider.CallsTo(operation).Should().ContainSingle().Which.Outcome.Should().Be(FakeCallOutcome.FailedAfterSideEffects);
        await scenario.AssertCompletedAsync(done);
    }

    // ---- 3. Emergencies. ----

    [Theory]
    [InlineData(RotationTier.Automatic, false)]
    [InlineData(RotationTier.Automatic, true)]
    [InlineData(RotationTier.CreateThenDelete, false)]
    [InlineData(RotationTier.CreateThenDelete, true)]
    public async Task Compromised_RunsToTheEndInOneCall(RotationTier tier, bool revokeFirst)
    {
        using var scenario = new Scenario(tier);
        var engine = scenario.Engine();
        await scenario.RegisterAsync(engine);

        var done = await scenario.StartAsync(engine, RotationReason.Compromised, new RotationRequest { RevokeFirst = revokeFirst });

        done.Step.Should().Be(RotationStep.Completed);
        done.GraceEndsAt.Should().Be(scenario.Clock.GetCurrentInstant(), "a compromised key gets no grace period");
        var first = scenario.Provider.Calls[0];
        if (revokeFirst)
        {
            first.Operation.Should().Be(FakeProviderOperation.Delete);
            first.ProviderKeyId.Should().Be(scenario.OldProviderKeyId);
        }
        else
        {
            first.Operation.Should().Be(FakeProviderOperation.Create);
        }

        await scenario.AssertCompletedAsync(done);
    }

    [Theory]
    [MemberData(nameof(EmergencyCrashPoints))]
    public async Task Compromised_CrashAfterEachStep_ANewEngineResumesAndCompletes(RotationTier tier, bool revokeFirst, RotationStep step, int occurrence)
    {
        using var scenario = new Scenario(tier);
        var first = scenario.Engine(crashWhen: AtStep(step, occurrence));
        await scenario.RegisterAsync(first);
        var request = new RotationRequest { RevokeFirst = revokeFirst };

        await scenario.ExpectCrashAsync(() => scenario.RunAsync(first, RotationReason.Compromised, request));
        var done = await scenario.ResumeOnNewEngineAsync();

        await scenario.AssertCompletedAsync(done);
    }

    [Fact]
    public async Task CompromisedRevokeFirst_CreateFailsForGood_RollbackUndeletesThePreviousKeyWhichStaysKilled()
    {
        using var scenario = new Scenario(RotationTier.CreateThenDelete);
        var engine = scenario.Engine();
        await scenario.RegisterAsync(engine);
        scenario.Provider.On(FakeProviderOperation.Create).Fail(ProviderErrorKind.Forbidden);

        var failed = await scenario.StartAsync(engine, RotationReason.Compromised, new RotationRequest { RevokeFirst = true });

        failed.Step.Should().Be(RotationStep.Failed);
        failed.LastError.Should().Contain("undeleted").And.Contain(scenario.OldProviderKeyId);
        scenario.Provider.CallsTo(FakeProviderOperation.Undelete).Should().ContainSingle().Which.Should().Match<FakeProviderCall>(c => c.ProviderKeyId == scenario.OldProviderKeyId && c.Outcome == FakeCallOutcome.Succeeded);
        scenario.Provider.IsAccepted(scenario.OldSecret).Should().BeTrue("the previous key is back at the provider");
        var key = await scenario.Shared.Keys.GetAsync(scenario.Reference);
        var previous = key.FindVersion(scenario.OldVersionId)!;
        previous.Stage.Should().Be(KeyStage.Current, "the undeleted key is the key's only key again, so a later rotation retires it");
        previous.KilledAt.Should().NotBeNull("it stays killed locally until an operator decides");
        previous.IsServable.Should().BeFalse();
        scenario.Shared.Events.All.OfType<RotationFailed>().Should().ContainSingle(e => e.OperationId == failed.OperationId);
        await engine.AssertInvariantsAsync(scenario.Reference, maxLiveKeys: 1);
        await scenario.AssertNoSecretLeakedAsync();

        // The operator's next step: rotate again once the provider works. The undeleted key is retired, nothing is left live.
        var again = await engine.Rotator.RotateAsync(scenario.Reference, RotationReason.Compromised);
        again.Step.Should().Be(RotationStep.Completed);
        scenario.Provider.IsAccepted(scenario.OldSecret).Should().BeFalse();
        await engine.AssertInvariantsAsync(scenario.Reference, maxLiveKeys: 1);
    }

    [Fact]
    public async Task CompromisedRevokeFirst_CreateFailsForGoodWhereTheProviderCannotUndelete_SaysTheKeyHasNoUsableVersion()
    {
        using var scenario = new Scenario(RotationTier.Automatic);
        var engine = scenario.Engine();
        await scenario.RegisterAsync(engine);
        scenario.Provider.On(FakeProviderOperation.Create).Fail(ProviderErrorKind.Forbidden);

        var failed = await scenario.StartAsync(engine, RotationReason.Compromised, new RotationRequest { RevokeFirst = true });

        failed.Step.Should().Be(RotationStep.Failed);
        failed.LastError.Should().Contain("revoked first").And.Contain("no usable version");
        scenario.Provider.CallsTo(FakeProviderOperation.Undelete).Should().BeEmpty();
        scenario.Provider.IsAccepted(scenario.OldSecret).Should().BeFalse("a compromised key revoked first stays revoked");
        scenario.Provider.LiveKeyIds.Should().BeEmpty();
        scenario.Shared.Events.All.OfType<RotationFailed>().Should().ContainSingle(e => e.OperationId == failed.OperationId);
        (await scenario.Shared.Audit.VerifyAsync()).IsValid.Should().BeTrue();
        await scenario.AssertNoSecretLeakedAsync();
    }

    // ---- 4. Concurrency. ----

    [Fact]
    public async Task Rotate_OnTwoEnginesWhileTheFirstIsMidway_TheSecondGetsAConflictAndChangesNothing()
    {
        using var scenario = new Scenario(RotationTier.Automatic);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = scenario.Engine(pauseWhen: o => o.Step == RotationStep.Requested && o.CreateAttempted, entered: entered, release: release.Task);
        var second = scenario.Engine();
        await scenario.RegisterAsync(first);

        var running = Task.Run(() => first.Rotator.RotateAsync(scenario.Reference, RotationReason.Scheduled));
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var act = () => second.Rotator.RotateAsync(scenario.Reference, RotationReason.Manual);
        var conflict = (await act.Should().ThrowAsync<RotationConflictException>()).Which;
        scenario.Capture(conflict);
        release.SetResult();
        var operation = await running;

        conflict.ActiveOperationId.Should().Be(operation.OperationId);
        scenario.Provider.CallsTo(FakeProviderOperation.Create).Should().ContainSingle();
        var done = await scenario.DriveAsync(second, operation);
        await scenario.AssertCompletedAsync(done);
    }

    [Theory]
    [InlineData(RotationTier.Automatic)]
    [InlineData(RotationTier.CreateThenDelete)]
    [InlineData(RotationTier.SlotAlternating)]
    public async Task Rotate_OnTwoEnginesAtOnce_ExactlyOneWinsAndTheOtherGetsAConflict(RotationTier tier)
    {
        for (var round = 0; round < 10; round++)
        {
            using var scenario = new Scenario(tier);
            var engines = new[] { scenario.Engine(), scenario.Engine() };
            await scenario.RegisterAsync(engines[0]);
            using var start = new ManualResetEventSlim();

            var attempts = engines.Select(engine => Task.Run(async () =>
            {
                start.Wait();
                return await engine.Rotator.RotateAsync(scenario.Reference, RotationReason.Scheduled);
            })).ToArray();
            start.Set();
            try
            {
                await Task.WhenAll(attempts);
            }
            catch (RotationConflictException)
            {
                // Inspected below.
            }

            attempts.Count(t => t.IsCompletedSuccessfully).Should().Be(1, "exactly one rotation starts");
            var loser = attempts.Single(t => t.IsFaulted).Exception!.InnerException;
            loser.Should().BeOfType<RotationConflictException>();
            scenario.Capture(loser!);
            var winner = await attempts.Single(t => t.IsCompletedSuccessfully);
            winner.Step.Should().Be(RotationStep.GracePeriod);

            var key = await scenario.Shared.Keys.GetAsync(scenario.Reference);
            key.Versions.Should().ContainSingle(v => v.Stage == KeyStage.Current).Which.VersionId.Should().Be(winner.NewVersionId);
            var done = await scenario.DriveAsync(engines[1], winner);
            await scenario.AssertCompletedAsync(done);
        }
    }

    [Theory]
    [InlineData(RotationTier.Automatic)]
    [InlineData(RotationTier.CreateThenDelete)]
    public async Task Resume_OnTwoEnginesAtOnce_TheLoserRemovesTheKeyItCreated(RotationTier tier)
    {
        using var scenario = new Scenario(tier);
        var first = scenario.Engine(crashWhen: AtStep(RotationStep.Requested));
        await scenario.RegisterAsync(first);
        await scenario.ExpectCrashAsync(() => scenario.RunAsync(first));
        var interrupted = (await scenario.Shared.Operations.FindActiveAsync(scenario.Reference))!;
        var slow = scenario.Engine();
        var fast = scenario.Engine();

        // Two hosts pick the interrupted rotation up at once; the slow one's create call is still on the wire when the fast one records its own key.
        var create = scenario.Provider.On(FakeProviderOperation.Create).Hang();
        var slowRun = Task.Run(() => slow.Rotator.ResumeAsync(interrupted.OperationId));
        SpinWait.SpinUntil(() => create.Pending == 0, TimeSpan.FromSeconds(10)).Should().BeTrue();
        var fastRun = await fast.Rotator.ResumeAsync(interrupted.OperationId);
        fastRun.Step.Should().Be(RotationStep.GracePeriod);
        while (!slowRun.IsCompleted)
        {
            // The slow call may not have started waiting yet when first released.
            create.ReleaseHung();
            await Task.WhenAny(slowRun, Task.Delay(1));
        }

        var conflict = (await slowRun.Awaiting(t => t).Should().ThrowAsync<RotationConflictException>()).Which;
        scenario.Capture(conflict);
        var lost = scenario.Provider.CallsTo(FakeProviderOperation.Create).Select(c => c.ProviderKeyId).Except([fastRun.NewProviderKeyId]).Should().ContainSingle().Which;
        scenario.Provider.Keys.Single(k => k.ProviderKeyId == lost).Status.Should().Be(ProviderKeyStatus.Deleted, "the engine that lost the race removes the key only it knows about");
        var done = await scenario.DriveAsync(fast, fastRun);
        await scenario.AssertCompletedAsync(done);
    }

    // ---- 5. Secrets. ----

    [Fact]
    public async Task SecretWindows_AreTakenFromTheRandomPartOfEveryTiersKeys()
    {
        foreach (var tier in ProviderTiers)
        {
            using var secret = FakeKeys.Generate(ProviderFor(tier));
            var window = Scenario.Window(secret);
            window.Should().HaveLength(20);
            using var other = FakeKeys.Generate(ProviderFor(tier));
            other.Reveal().Should().NotContain(window, "a window of the random part identifies one key");
        }
    }

    private static Func<RotationOperation, bool> AtStep(RotationStep step, int occurrence = 1)
    {
        var seen = 0;
        return operation => operation.Step == step && Interlocked.Increment(ref seen) == occurrence;
    }

    private static ProviderId ProviderFor(RotationTier tier) => tier switch
    {
        RotationTier.Automatic => ProviderId.OpenAI,
        RotationTier.CreateThenDelete => ProviderId.GoogleGemini,
        RotationTier.SlotAlternating => ProviderId.AzureOpenAI,
        RotationTier.SemiAutomatic => ProviderId.Anthropic,
        RotationTier.Generated => ProviderId.AwsBedrockShortTerm,
        _ => ProviderId.Groq,
    };

    private static FakeProviderOperation? CreateOperation(RotationTier tier) => tier switch
    {
        RotationTier.Automatic or RotationTier.CreateThenDelete => FakeProviderOperation.Create,
        RotationTier.SlotAlternating => FakeProviderOperation.Regenerate,
        RotationTier.Generated => FakeProviderOperation.Generate,
        _ => null,
    };

    private static FakeProviderOperation? RevokeOperation(RotationTier tier) => tier switch
    {
        RotationTier.Automatic or RotationTier.CreateThenDelete => FakeProviderOperation.Delete,
        RotationTier.SlotAlternating => FakeProviderOperation.Regenerate,
        RotationTier.SemiAutomatic => FakeProviderOperation.Deactivate,
        _ => null,
    };

    /// <summary>A crash of the process, thrown from the engine's AfterStep hook or from the fake provider.</summary>
    // Marked as a simulated process crash, so the engine lets it end the "process" instead of handling it as a failure.
    private sealed class SimulatedCrashException : Exception
    {
        public SimulatedCrashException(RotationStep step)
            : base($"Simulated crash after {step}.")
        {
            Step = step;
            Data[StepFailures.SimulatedCrashMarker] = true;
        }

        public RotationStep Step { get; }
    }

    private sealed record Observation(RotationOperation Operation, Instant At, bool OldKeyAccepted);

    /// <summary>
    /// One managed key on one fake provider and one set of stores, and the engines (processes) that work on it. Every
    /// engine observes each persisted step: whether the old key still worked then.
    /// </summary>
    private sealed class Scenario : IDisposable
    {
        private readonly List<RotationHarness> _engines = [];
        private readonly ConcurrentQueue<Observation> _observations = new();
        private readonly ConcurrentQueue<Exception> _exceptions = new();
        private ManagedKey? _registered;
        private SecretValue? _oldSecret;
        private SecretValue? _supplied;

        public Scenario(RotationTier tier)
        {
            Tier = tier;
            Provider = FakeProviderAdapter.For(ProviderFor(tier), Clock);
        }

        public RotationTier Tier { get; }

        public FakeClock Clock { get; } = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);

        public RotationHarness.SharedState Shared { get; } = new();

        public FakeProviderAdapter Provider { get; }

        public KeyReference Reference => RotationHarness.Reference(Provider.Provider);

        public SecretValue OldSecret => _oldSecret ?? throw new InvalidOperationException("Register first.");

        public SecretValue? SuppliedSecret => _supplied;

        public string OldVersionId => (_registered ?? throw new InvalidOperationException("Register first.")).CurrentVersion!.VersionId;

        public string OldProviderKeyId => _registered!.CurrentVersion!.ProviderKeyId!;

        // Live keys at the provider once a rotation completed: the new one only; both slots for Azure; and for Groq
        // the old key too, which a person deletes in the console.
        private int MaxLiveKeys => (Tier is RotationTier.SlotAlternating or RotationTier.Manual ? 2 : 1) + UnrevocableLeftovers;

        /// <summary>Gets or sets how many generated keys a crash lost: nothing revokes them, they live until their own expiry.</summary>
        public int UnrevocableLeftovers { get; set; }

        public static string Window(SecretValue secret) => secret.Reveal()[^24..^4];

        public RotationHarness Engine(
            Func<RotationOperation, bool>? crashWhen = null,
            Action<RotationOptions>? configure = null,
            Func<RotationOperation, bool>? pauseWhen = null,
            TaskCompletionSource? entered = null,
            Task? release = null)
        {
            var engine = new RotationHarness(Provider, Clock, Shared, options =>
            {
                configure?.Invoke(options);
                options.AfterStep = async (operation, cancellationToken) =>
                {
                    _observations.Enqueue(new Observation(operation, Clock.GetCurrentInstant(), _oldSecret is not null && Provider.IsAccepted(_oldSecret)));
                    if (crashWhen is not null && crashWhen(operation))
                    {
                        throw new SimulatedCrashException(operation.Step);
                    }

                    if (pauseWhen is not null && pauseWhen(operation))
                    {
                        entered?.TrySetResult();
                        await release!.WaitAsync(cancellationToken);
                    }
                };
            });
            _engines.Add(engine);
            return engine;
        }

        public async Task RegisterAsync(RotationHarness engine)
        {
            (_registered, _oldSecret) = await engine.RegisterAsync();
            if (Tier == RotationTier.Generated)
            {
                // A generated key is renewed an hour before it expires, as the scheduler would.
                Clock.Advance(_registered.NextDueAt!.Value - Clock.GetCurrentInstant());
            }
        }

        public void Capture(Exception exception) => _exceptions.Enqueue(exception);

        /// <summary>Starts a rotation; for the semi-automatic and manual tiers a person then creates the new key and hands it in.</summary>
        public async Task<RotationOperation> StartAsync(RotationHarness engine, RotationReason reason = RotationReason.Manual, RotationRequest? request = null)
        {
            var operation = await engine.Rotator.RotateAsync(Reference, reason, request);
            if (operation.Step != RotationStep.AwaitingNewKey)
            {
                return operation;
            }

            _supplied = FakeKeys.Generate(Provider.Provider);
            Provider.AddExistingKey(_supplied, "created by a person");
            return Tier == RotationTier.SemiAutomatic
                ? await engine.Rotator.SupplyNewKeyAsync(Reference, _supplied)
                : await engine.Rotator.RecordManualRotationAsync(Reference, _supplied);
        }

        /// <summary>
        /// Starts a rotation and drives it to its end on one engine. <paramref name="script"/> makes the provider fail
        /// when the rotation reaches <paramref name="atStep"/>: before it starts for Requested and StoredPending (the
        /// creating call and the verification), once it waits in its grace period for GracePeriod (the revocation).
        /// </summary>
        public async Task<RotationOperation> RunAsync(
            RotationHarness engine,
            RotationReason reason = RotationReason.Manual,
            RotationRequest? request = null,
            RotationStep atStep = RotationStep.Requested,
            Action? script = null,
            Action<RotationOperation>? onDeferred = null)
        {
            if (atStep != RotationStep.GracePeriod)
            {
                script?.Invoke();
            }

            var operation = await StartAsync(engine, reason, request);
            if (atStep == RotationStep.GracePeriod && script is not null)
            {
                operation.Step.Should().Be(RotationStep.GracePeriod);
                script();
            }

            return await DriveAsync(engine, operation, onDeferred);
        }

        /// <summary>Resumes an operation until it ends, moving the FakeClock to each deferral and to the end of the grace period.</summary>
        public async Task<RotationOperation> DriveAsync(RotationHarness engine, RotationOperation operation, Action<RotationOperation>? onDeferred = null)
        {
            for (var round = 0; !operation.IsFinished; round++)
            {
                round.Should().BeLessThan(50, "a rotation ends");
                operation.Step.Should().NotBe(RotationStep.AwaitingNewKey);
                var now = Clock.GetCurrentInstant();
                if (operation.NextAttemptAt is { } retryAt && retryAt > now)
                {
                    onDeferred?.Invoke(operation);
                    Clock.Advance(retryAt - now);
                }
                else if (operation is { Step: RotationStep.GracePeriod, GraceEndsAt: { } graceEnds } && graceEnds > now)
                {
                    Provider.IsAccepted(OldSecret).Should().BeTrue("the old key works until its grace period ends");
                    Clock.Advance(graceEnds - now);
                }

                operation = await engine.Rotator.ResumeAsync(operation.OperationId);
            }

            return operation;
        }

        public async Task<RotationOperation> LatestOperationAsync()
        {
            await foreach (var operation in Shared.Operations.ListForKeyAsync(Reference))
            {
                return operation;
            }

            throw new InvalidOperationException("No rotation was recorded.");
        }

        public async Task<SimulatedCrashException> ExpectCrashAsync(Func<Task> action)
        {
            var crash = (await action.Should().ThrowAsync<SimulatedCrashException>()).Which;
            Capture(crash);
            return crash;
        }

        public async Task<RotationOperation> ResumeOnNewEngineAsync()
        {
            var engine = Engine();
            var active = await engine.Operations.FindActiveAsync(Reference);
            active.Should().NotBeNull("the interrupted rotation is recorded");
            return await DriveAsync(engine, active!);
        }

        public async Task AssertCompletedAsync(RotationOperation done)
        {
            done.Step.Should().Be(RotationStep.Completed, done.LastError);
            await _engines[^1].AssertInvariantsAsync(Reference, MaxLiveKeys);
            var key = await Shared.Keys.GetAsync(Reference);
            key.CurrentVersion!.VersionId.Should().Be(done.NewVersionId);
            key.FindVersion(OldVersionId)!.Stage.Should().Be(KeyStage.Revoked);
            key.Versions.Should().HaveCount(2, "one rotation adds one version");
            if (Tier == RotationTier.Manual)
            {
                Provider.IsAccepted(OldSecret).Should().BeTrue("IronCage cannot revoke a Groq key; a person deletes it in the console");
            }
            else if (Tier == RotationTier.Generated)
            {
                Provider.IsAccepted(OldSecret).Should().BeFalse("the grace period ended at the old key's expiry, and it died then");
            }
            else
            {
                Provider.IsAccepted(OldSecret).Should().BeFalse("the old key (for Azure, the old slot's value) was revoked");
            }

            Shared.Events.All.OfType<RotationCompleted>().Where(e => e.OperationId == done.OperationId).Should().ContainSingle();
            Shared.Events.All.OfType<KeyRevoked>().Where(e => e.VersionId == OldVersionId).Should().OnlyContain(e => e.Succeeded);
            AssertOldKeyKeptUntilAllowed(done, key);
            await AssertNoSecretLeakedAsync();
        }

        public async Task AssertRolledBackAsync(RotationOperation failed, RotationStep failedAt)
        {
            failed.Step.Should().Be(RotationStep.Failed);
            failed.LastError.Should().NotBeNullOrWhiteSpace();
            var key = await Shared.Keys.GetAsync(Reference);
            key.Versions.Should().ContainSingle(v => v.Stage == KeyStage.Current).Which.VersionId.Should().Be(OldVersionId, "the old key stays current");
            Provider.IsAccepted(OldSecret).Should().BeTrue("the old key keeps working");
            key.Versions.Where(v => v.VersionId != OldVersionId).Should().NotContain(v => v.Stage != KeyStage.Revoked, "the Pending version is marked Revoked");
            if (failedAt == RotationStep.StoredPending)
            {
                key.FindVersion(failed.NewVersionId).Should().NotBeNull().And.Match<KeyVersion>(v => v.Stage == KeyStage.Revoked);
            }

            if (Tier is RotationTier.Automatic or RotationTier.CreateThenDelete)
            {
                Provider.Keys.Where(k => k.ProviderKeyId != OldProviderKeyId).Should().NotContain(k => k.Status != ProviderKeyStatus.Deleted, "every key the rotation created is removed");
                if (failed.NewProviderKeyId is { } created)
                {
                    Provider.CallsTo(FakeProviderOperation.Delete).Should().Contain(c => c.ProviderKeyId == created && c.Outcome == FakeCallOutcome.Succeeded);
                }
            }

            // The person-created key of the semi-automatic and manual tiers stays, as do Azure's two slots.
            await _engines[^1].AssertInvariantsAsync(Reference, Tier is RotationTier.Automatic or RotationTier.CreateThenDelete ? 1 : 2);
            Shared.Events.All.OfType<RotationFailed>().Should().ContainSingle(e => e.OperationId == failed.OperationId).Which.Step.Should().Be(failedAt);
            Shared.Events.All.OfType<RotationCompleted>().Should().BeEmpty();
            AssertOldKeyKeptUntilAllowed(failed, key);
            await AssertNoSecretLeakedAsync();
        }

        public async Task AssertRevocationFailedAsync(RotationOperation ended)
        {
            ended.Step.Should().Be(RotationStep.RevocationFailed, ended.LastError);
            ended.LastError.Should().NotBeNullOrWhiteSpace();
            var key = await Shared.Keys.GetAsync(Reference);
            var current = key.Versions.Should().ContainSingle(v => v.Stage == KeyStage.Current).Which;
            current.VersionId.Should().Be(ended.NewVersionId, "the new key stays current");
            current.RevokedAt.Should().BeNull();
            key.FindVersion(OldVersionId)!.Stage.Should().Be(KeyStage.Previous, "the old key was not revoked");
            var newProviderKeyId = current.ProviderKeyId;
            Provider.Calls.Where(c => c.ProviderKeyId == newProviderKeyId && c.Operation is FakeProviderOperation.Delete or FakeProviderOperation.Deactivate)
                .Should().BeEmpty("the Current key is never revoked");
            Provider.Calls.Count(c => c.ProviderKeyId == newProviderKeyId && c.Operation == FakeProviderOperation.Regenerate)
                .Should().BeLessThanOrEqualTo(1, "a slot is regenerated once, to create the new key, and never again");

            // The old key is still live: one more than after a completed rotation (Azure's slots are always both live).
            await _engines[^1].AssertInvariantsAsync(Reference, Tier == RotationTier.SlotAlternating ? 2 : MaxLiveKeys + 1);
            var alert = Shared.Events.All.OfType<KeyRevoked>().Should().ContainSingle(e => e.OperationId == ended.OperationId).Which;
            alert.Succeeded.Should().BeFalse();
            alert.Severity.Should().Be(EventSeverity.Critical);
            alert.VersionId.Should().Be(OldVersionId);
            alert.ConsoleUrl.Should().NotBeNull();
            AssertOldKeyKeptUntilAllowed(ended, key);
            await AssertNoSecretLeakedAsync();
        }

        public async Task AssertNoSecretLeakedAsync()
        {
            var windows = new List<string> { Window(OldSecret) };
            if (_supplied is not null)
            {
                windows.Add(Window(_supplied));
            }

            var key = await Shared.Keys.GetAsync(Reference);
            foreach (var version in key.Versions)
            {
                using var secret = await _engines[0].OpenAsync(version, Reference);
                windows.Add(Window(secret));
            }

            var texts = new List<string>(Shared.Logs.Lines);
            texts.AddRange(_exceptions.Select(e => e.ToString()));
            await foreach (var operation in Shared.Operations.ListForKeyAsync(Reference))
            {
                texts.Add(operation.ToString());
                texts.Add(operation.LastError ?? string.Empty);
            }

            foreach (var rotationEvent in Shared.Events.All)
            {
                texts.Add(rotationEvent.Describe());
                texts.Add(rotationEvent.ToString());
            }

            await foreach (var record in Shared.Audit.ReadAsync())
            {
                texts.Add(record.Event.Reason ?? string.Empty);
                texts.AddRange(record.Event.Details.Values);
            }

            texts.Should().NotBeEmpty();
            foreach (var window in windows.Distinct())
            {
                texts.Should().NotContain(t => t.Contains(window, StringComparison.Ordinal), "no key value appears in logs, exceptions, operations, events or the audit log");
            }
        }

        public void Dispose()
        {
            foreach (var engine in _engines)
            {
                engine.Dispose();
            }

            _oldSecret?.Dispose();
            _supplied?.Dispose();
        }

        // The old key works at every persisted step before revocation (unless it was revoked first, in an emergency), and
        // the call that retired it came after the grace period (or, for an emergency, after the new key was verified).
        private void AssertOldKeyKeptUntilAllowed(RotationOperation operation, ManagedKey key)
        {
            var seen = _observations.Where(o => o.Operation.OperationId == operation.OperationId).ToList();
            seen.Should().NotBeEmpty();
            if (!operation.RevokesFirst)
            {
                foreach (var observation in seen.Where(o => o.Operation.Step is < RotationStep.PreviousRevoked or RotationStep.Distributed or RotationStep.Failed))
                {
                    observation.OldKeyAccepted.Should().BeTrue($"the old key works until it may be revoked (it did not at {observation.Operation.Step})");
                }
            }

            var calls = Provider.Calls.ToList();
            var retirements = calls
                .Select((call, index) => (call, index))
                .Where(c => c.call.ProviderKeyId == OldProviderKeyId && c.call.Operation is FakeProviderOperation.Delete or FakeProviderOperation.Deactivate or FakeProviderOperation.Regenerate)
                .ToList();
            if (Tier == RotationTier.Generated)
            {
                calls.Should().NotContain(c => c.Operation == FakeProviderOperation.Delete || c.Operation == FakeProviderOperation.Deactivate, "nothing can revoke a generated key: it dies at its expiry");
                return;
            }

            if (Tier == RotationTier.Manual || operation.Step == RotationStep.Failed && !operation.RevokesFirst)
            {
                retirements.Should().BeEmpty("the old key is not touched at the provider");
                return;
            }

            if (operation.Step == RotationStep.Completed)
            {
                retirements.Should().NotBeEmpty();
            }

            if (operation.RevokesFirst || retirements.Count == 0)
            {
                return;
            }

            var newVersion = key.FindVersion(operation.NewVersionId)!;
            if (operation.Reason == RotationReason.Compromised)
            {
                var verified = calls.FindIndex(c => c.Operation == FakeProviderOperation.Verify && c.Outcome == FakeCallOutcome.Succeeded && c.ProviderKeyId == newVersion.ProviderKeyId);
                verified.Should().BeGreaterThanOrEqualTo(0, "the new key was verified");
                retirements.Should().OnlyContain(r => r.index > verified, "a compromised key is revoked only once the new one is verified");
            }
            else
            {
                var graceEnds = newVersion.ActivatedAt!.Value + DefaultGrace;
                retirements.Should().OnlyContain(r => r.call.At >= graceEnds, "the old key is revoked only after the grace period");
                (operation.GraceEndsAt >= graceEnds).Should().BeTrue("the grace period lasted its full length");
            }
        }
    }
}
