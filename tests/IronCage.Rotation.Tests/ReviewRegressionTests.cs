using IronCage.Providers;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Rotation.Tests;

/// <summary>Regressions for problems found in review: each test failed before its fix.</summary>
public sealed class ReviewRegressionTests
{
    [Fact]
    public async Task Register_WithoutProviderKeyId_FindsItByHint()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider);
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);
        var id = provider.AddExistingKey(secret);

        var key = await harness.Rotator.RegisterAsync(new KeyRegistration { Reference = KeyReference.Parse("openai/prod") }, secret);

        key.CurrentVersion!.ProviderKeyId.Should().Be(id);
    }

    [Fact]
    public async Task Register_KeyUnknownToTheProvider_IsRefused()
    {
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenRouter));
        using var stranger = FakeKeys.Generate(ProviderId.OpenRouter);
        var act = async () => await harness.Rotator.RegisterAsync(new KeyRegistration { Reference = KeyReference.Parse("openrouter/prod"), Verify = false }, stranger);
        await act.Should().ThrowAsync<IronCageException>().WithMessage("*not among the active keys*");
    }

    [Fact]
    public async Task Register_SlotProviderWithAnIdThatIsNotASlot_IsRefused()
    {
        var provider = FakeProviderAdapter.For(ProviderId.AzureOpenAI);
        using var harness = new RotationHarness(provider);
        using var slot = await provider.RegenerateSlotAsync(new ProviderKeyContext { Key = KeyReference.Parse("azure-openai/prod") }, "Key2");
        var act = async () => await harness.Rotator.RegisterAsync(new KeyRegistration { Reference = KeyReference.Parse("azure-openai/prod"), ProviderKeyId = "primary" }, slot.Secret);
        await act.Should().ThrowAsync<IronCageException>().WithMessage("*Key1 or Key2*");
    }

    [Fact]
    public async Task Register_SlotFoundByHint_RotatesTheOtherSlot()
    {
        var provider = FakeProviderAdapter.For(ProviderId.AzureOpenAI);
        using var harness = new RotationHarness(provider);
        using var slot = await provider.RegenerateSlotAsync(new ProviderKeyContext { Key = KeyReference.Parse("azure-openai/prod") }, "Key2");
        var key = await harness.Rotator.RegisterAsync(new KeyRegistration { Reference = KeyReference.Parse("azure-openai/prod") }, slot.Secret);

        key.CurrentVersion!.ProviderKeyId.Should().Be("Key2");
        var operation = await harness.Rotator.RotateAsync(key.Reference, RotationReason.Manual);
        operation.NewProviderKeyId.Should().Be("Key1");
        provider.IsAccepted(slot.Secret).Should().BeTrue("the current slot is never regenerated during a rotation");
    }

    [Fact]
    public async Task Step_ThrowingAForeignException_IsRetriedThenRolledBack_NotStuck()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider, configure: o => o.MaxAttempts = 2);
        var (registered, oldSecret) = await harness.RegisterAsync();
        provider.On(FakeProviderOperation.Create).ThrowAlways(new HttpRequestException("connection reset"));

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Manual);
        operation.Step.Should().Be(RotationStep.Requested);
        operation.NextAttemptAt.Should().NotBeNull("a transport error is deferred like a transient provider error");

        harness.Clock.AdvanceHours(1);
        var ended = await harness.Rotator.ResumeAsync(operation.OperationId);
        ended.Step.Should().Be(RotationStep.Failed);
        ended.LastError.Should().Contain("HttpRequestException");
        provider.IsAccepted(oldSecret).Should().BeTrue();
        await harness.AssertInvariantsAsync(registered.Reference);
    }

    [Fact]
    public async Task Compromised_RevocationFailure_KillsAndMarksTheOldVersion()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider, configure: o => o.MaxAttempts = 1);
        var (registered, _) = await harness.RegisterAsync();
        provider.On(FakeProviderOperation.Delete).FailAlways(ProviderErrorKind.Forbidden);

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised);

        operation.Step.Should().Be(RotationStep.RevocationFailed);
        var old = (await harness.Keys.GetAsync(registered.Reference)).FindVersion(registered.CurrentVersion!.VersionId)!;
        old.IsServable.Should().BeFalse("a leaked key whose revocation failed is never served again");
        old.RevocationFailedAt.Should().NotBeNull();
        harness.Shared.Events.All.OfType<KeyRevoked>().Should().Contain(e => !e.Succeeded && e.Severity == EventSeverity.Critical);
    }

    [Fact]
    public async Task Compromised_OldKeyIsKilledAsSoonAsTheNewOneIsCurrent()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider);
        var (registered, _) = await harness.RegisterAsync();
        provider.On(FakeProviderOperation.Delete).Fail(ProviderErrorKind.Transient, times: 10);

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised);

        operation.Step.Should().Be(RotationStep.GracePeriod, "revocation is deferred after transient failures");
        (await harness.Keys.GetAsync(registered.Reference)).FindVersion(registered.CurrentVersion!.VersionId)!.IsServable.Should().BeFalse();
    }

    [Fact]
    public async Task Revoke_ProviderRefuses_IsACriticalRevocationFailureNotARollback()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenRouter);
        using var harness = new RotationHarness(provider);
        var (registered, oldSecret) = await harness.RegisterAsync();
        provider.On(FakeProviderOperation.Delete).FailAlways(ProviderErrorKind.Forbidden);

        var operation = await harness.Rotator.RevokeAsync(registered.Reference);

        operation.Step.Should().Be(RotationStep.RevocationFailed);
        harness.Shared.Events.All.OfType<RotationFailed>().Should().BeEmpty();
        harness.Shared.Events.All.OfType<KeyRevoked>().Should().ContainSingle().Which.Severity.Should().Be(EventSeverity.Critical);
        provider.IsAccepted(oldSecret).Should().BeTrue("the provider refused");
        (await harness.Keys.GetAsync(registered.Reference)).Versions.Single().IsServable.Should().BeFalse();
    }

    [Fact]
    public async Task RevokeFirst_ProviderRefuses_StillCreatesTheReplacement()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider);
        var (registered, _) = await harness.RegisterAsync();
        provider.On(FakeProviderOperation.Delete).Fail(ProviderErrorKind.Forbidden, times: 5);

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised, new RotationRequest { RevokeFirst = true });

        operation.Step.Should().Be(RotationStep.Completed);
        operation.EarlyRevocation.Should().Be(EarlyRevocation.Failed);
        var key = await harness.Keys.GetAsync(registered.Reference);
        key.CurrentVersion!.VersionId.Should().Be(operation.NewVersionId);
        key.FindVersion(registered.CurrentVersion!.VersionId)!.IsServable.Should().BeFalse();
        harness.Shared.Events.All.OfType<KeyRevoked>().Should().Contain(e => !e.Succeeded);
    }

    [Fact]
    public async Task Compromised_SupersedesARotationInItsGracePeriod()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider);
        var (registered, firstSecret) = await harness.RegisterAsync();
        var scheduled = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);
        scheduled.Step.Should().Be(RotationStep.GracePeriod);

        var emergency = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised);

        (await harness.Rotator.GetOperationAsync(scheduled.OperationId))!.Step.Should().Be(RotationStep.Completed);
        emergency.Step.Should().Be(RotationStep.Completed);
        provider.IsAccepted(firstSecret).Should().BeFalse();
        await harness.AssertInvariantsAsync(registered.Reference, maxLiveKeys: 1);
    }

    [Fact]
    public async Task Revoke_SupersedesARotationWaitingForAPerson()
    {
        var provider = FakeProviderAdapter.For(ProviderId.Anthropic);
        using var harness = new RotationHarness(provider);
        var (registered, oldSecret) = await harness.RegisterAsync();
        var waiting = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);

        var revoked = await harness.Rotator.RevokeAsync(registered.Reference);

        (await harness.Rotator.GetOperationAsync(waiting.OperationId))!.Step.Should().Be(RotationStep.Failed);
        revoked.Step.Should().Be(RotationStep.Completed);
        provider.IsAccepted(oldSecret).Should().BeFalse();
    }

    [Fact]
    public async Task Cancel_BeforePromotion_RollsBack_AfterPromotion_IsRefused()
    {
        var provider = FakeProviderAdapter.For(ProviderId.Anthropic);
        using var harness = new RotationHarness(provider);
        var (registered, _) = await harness.RegisterAsync();
        await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Manual);

        var cancelled = await harness.Rotator.CancelAsync(registered.Reference, new RotationRequest { Actor = "alice", Note = "wrong key" });
        cancelled.Step.Should().Be(RotationStep.Failed);
        cancelled.LastError.Should().Contain("alice").And.Contain("wrong key");

        using var openAi = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI));
        var (other, _) = await openAi.RegisterAsync();
        await openAi.Rotator.RotateAsync(other.Reference, RotationReason.Manual);
        var act = async () => await openAi.Rotator.CancelAsync(other.Reference);
        await act.Should().ThrowAsync<IronCageException>().WithMessage("*CompleteGraceAsync*");
    }

    [Fact]
    public async Task Scheduler_DoesNotRotateAfterTheWindowClosed()
    {
        var policy = new RotationPolicy
        {
            Schedule = RotationSchedule.Monthly,
            Window = new MaintenanceWindow([IsoDayOfWeek.Tuesday], new LocalTime(3, 0), Duration.FromHours(2), DateTimeZone.Utc),
        };
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI));
        await harness.RegisterAsync("windowed", policy);
        var afterWindow = Instant.FromUtc(2026, 12, 8, 6, 0); // the first opening was 03:00–05:00 that day

        (await harness.Scheduler.RunDueAsync(afterWindow)).Started.Should().Be(0);
        (await harness.Rotator.PlanAsync(afterWindow)).Items.Single().DueAt.Should().Be(Instant.FromUtc(2026, 12, 15, 3, 0));
    }

    [Fact]
    public async Task Scheduler_DoesNotRecreateAKeyRevokedWithoutReplacement()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider);
        var (registered, _) = await harness.RegisterAsync("revoked", new RotationPolicy { Schedule = RotationSchedule.Weekly });
        await harness.Rotator.RevokeAsync(registered.Reference);
        provider.ClearCalls();

        (await harness.Scheduler.RunDueAsync(Instant.FromUtc(2027, 1, 1, 0, 0))).Started.Should().Be(0);
        provider.CallsTo(FakeProviderOperation.Create).Should().BeEmpty();
    }

    [Fact]
    public async Task Subscriber_ThrowingOperationCanceled_DoesNotBreakTheRotation()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider, extend: b => b.AddRotationEventSubscriber<TimingOutSubscriber>());
        var (registered, _) = await harness.RegisterAsync();

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised);

        operation.Step.Should().Be(RotationStep.Completed);
    }

    [Fact]
    public async Task CompleteGrace_WithADeferredRevocation_RevokesNow()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider);
        var (registered, oldSecret) = await harness.RegisterAsync();
        await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Manual);
        harness.Clock.AdvanceHours(24);
        provider.On(FakeProviderOperation.Delete).Fail(ProviderErrorKind.Transient, times: 3);
        var deferred = await harness.Rotator.ResumeAsync((await harness.Operations.FindActiveAsync(registered.Reference))!.OperationId);
        (deferred.NextAttemptAt > harness.Clock.GetCurrentInstant()).Should().BeTrue();

        var done = await harness.Rotator.CompleteGraceAsync(registered.Reference);

        done.Step.Should().Be(RotationStep.Completed);
        provider.IsAccepted(oldSecret).Should().BeFalse();
    }

    [Fact]
    public async Task Manual_RetirementIsALocalOnlyWarningWithTheConsoleUrl()
    {
        var provider = FakeProviderAdapter.For(ProviderId.Groq);
        using var harness = new RotationHarness(provider);
        var (registered, _) = await harness.RegisterAsync();
        using var recorded = FakeKeys.Generate(ProviderId.Groq);
        provider.AddExistingKey(recorded);
        await harness.Rotator.RecordManualRotationAsync(registered.Reference, recorded);
        await harness.Rotator.CompleteGraceAsync(registered.Reference);

        var retired = harness.Shared.Events.All.OfType<KeyRevoked>().Single();
        retired.Type.Should().Be("key.retired_locally");
        retired.Severity.Should().Be(EventSeverity.Warning);
        retired.Describe().Should().Contain("https://console.groq.com/keys");
    }

    private sealed class TimingOutSubscriber : IRotationEventSubscriber
    {
        public ValueTask OnEventAsync(RotationEvent rotationEvent, CancellationToken cancellationToken = default)
            => throw new TaskCanceledException("the subscriber's own HTTP call timed out");
    }
}
