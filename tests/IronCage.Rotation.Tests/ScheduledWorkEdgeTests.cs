using IronCage.Providers;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Rotation.Tests;

/// <summary>What the scheduler, grace completion and event subscribers must not do at the edges: rotate outside the window, recreate a revoked key, break a rotation. Each test failed before its fix.</summary>
public sealed class ScheduledWorkEdgeTests
{
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
