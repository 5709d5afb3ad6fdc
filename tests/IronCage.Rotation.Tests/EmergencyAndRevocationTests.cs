using IronCage.Providers;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Rotation.Tests;

/// <summary>Emergency rotation, revocation and cancellation: what happens to the old key when the provider refuses, and which operation wins. Each test failed before its fix.</summary>
public sealed class EmergencyAndRevocationTests
{
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
}
