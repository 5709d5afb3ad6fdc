using IronCage.Auditing;
using IronCage.Providers;
using IronCage.Testing;
using NodaTime;

namespace IronCage.Rotation.Tests;

/// <summary>A full rotation for each tier, against the fake provider.</summary>
public sealed class RotationTierTests
{
    [Theory]
    [InlineData("openai", RotationTier.Automatic, FakeProviderOperation.Delete)]
    [InlineData("openrouter", RotationTier.Automatic, FakeProviderOperation.Delete)]
    [InlineData("google-gemini", RotationTier.CreateThenDelete, FakeProviderOperation.Delete)]
    public async Task Rotate_CreatingTiers_CreateVerifyPromoteAndRevokeAfterGrace(string providerId, RotationTier tier, FakeProviderOperation revocation)
    {
        var provider = FakeProviderAdapter.For(new ProviderId(providerId));
        using var harness = new RotationHarness(provider);
        var (registered, oldSecret) = await harness.RegisterAsync();

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Manual);

        operation.Tier.Should().Be(tier);
        operation.Step.Should().Be(RotationStep.GracePeriod);
        operation.GraceEndsAt.Should().Be(harness.Clock.GetCurrentInstant() + Duration.FromHours(24));
        var during = await harness.Keys.GetAsync(registered.Reference);
        during.CurrentVersion!.VersionId.Should().Be(operation.NewVersionId);
        during.FindVersion(registered.CurrentVersion!.VersionId)!.Stage.Should().Be(KeyStage.Previous);
        using (var newSecret = await harness.OpenAsync(during.CurrentVersion, registered.Reference))
        {
            provider.IsAccepted(newSecret).Should().BeTrue();
        }

        provider.IsAccepted(oldSecret).Should().BeTrue("both keys are valid during grace");
        provider.CallsTo(revocation).Should().BeEmpty();

        harness.Clock.AdvanceHours(24);
        var done = await harness.Rotator.ResumeAsync(operation.OperationId);

        done.Step.Should().Be(RotationStep.Completed);
        provider.IsAccepted(oldSecret).Should().BeFalse("the old key is revoked after grace");
        (await harness.Keys.GetAsync(registered.Reference)).FindVersion(registered.CurrentVersion.VersionId)!.Stage.Should().Be(KeyStage.Revoked);
        await harness.AssertInvariantsAsync(registered.Reference, maxLiveKeys: 1);
        provider.Calls.Select(c => c.Operation).Should().ContainInOrder(FakeProviderOperation.Create, FakeProviderOperation.Verify, revocation);
    }

    [Fact]
    public async Task Rotate_SlotAlternating_RegeneratesTheOtherSlotThenTheOldOne()
    {
        var provider = FakeProviderAdapter.For(ProviderId.AzureOpenAI);
        using var harness = new RotationHarness(provider);
        var (registered, oldSecret) = await harness.RegisterAsync();

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);

        operation.Tier.Should().Be(RotationTier.SlotAlternating);
        operation.NewProviderKeyId.Should().Be("Key2");
        provider.CallsTo(FakeProviderOperation.Regenerate).Should().ContainSingle().Which.ProviderKeyId.Should().Be("Key2");
        provider.IsAccepted(oldSecret).Should().BeTrue("Key1 keeps working during grace");

        var completed = await harness.Rotator.CompleteGraceAsync(registered.Reference);

        completed.Step.Should().Be(RotationStep.Completed);
        provider.CallsTo(FakeProviderOperation.Regenerate).Select(c => c.ProviderKeyId).Should().Equal("Key2", "Key1");
        provider.IsAccepted(oldSecret).Should().BeFalse("regenerating Key1 killed the old value");
        var key = await harness.Keys.GetAsync(registered.Reference);
        key.CurrentVersion!.Slot.Should().Be("Key2");
        await harness.AssertInvariantsAsync(registered.Reference);

        // The next rotation goes back to Key1.
        var next = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);
        next.NewProviderKeyId.Should().Be("Key1");
    }

    [Fact]
    public async Task Rotate_SemiAutomatic_WaitsForTheSuppliedKeyThenDeactivatesTheOldOne()
    {
        var provider = FakeProviderAdapter.For(ProviderId.Anthropic);
        using var harness = new RotationHarness(provider);
        var (registered, oldSecret) = await harness.RegisterAsync();

        var waiting = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);
        waiting.Tier.Should().Be(RotationTier.SemiAutomatic);
        waiting.Step.Should().Be(RotationStep.AwaitingNewKey);

        using var supplied = FakeKeys.Generate(ProviderId.Anthropic);
        var createdInConsole = provider.AddExistingKey(supplied, "created by a person");
        var operation = await harness.Rotator.SupplyNewKeyAsync(registered.Reference, supplied);

        operation.OperationId.Should().Be(waiting.OperationId);
        operation.Step.Should().Be(RotationStep.GracePeriod);
        operation.NewProviderKeyId.Should().Be(createdInConsole, "the supplied key's id is found by listing and matching its hint");

        harness.Clock.AdvanceDays(1);
        (await harness.Rotator.ResumeAsync(operation.OperationId)).Step.Should().Be(RotationStep.Completed);
        provider.IsAccepted(oldSecret).Should().BeFalse("the old key was deactivated by API");
        provider.CallsTo(FakeProviderOperation.Deactivate).Should().ContainSingle();
        await harness.AssertInvariantsAsync(registered.Reference);
    }

    [Fact]
    public async Task Rotate_Manual_RecordsTheNewKeyAndRetiresTheOldOneLocally()
    {
        var provider = FakeProviderAdapter.For(ProviderId.Groq);
        using var harness = new RotationHarness(provider);
        var (registered, oldSecret) = await harness.RegisterAsync();

        var waiting = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);
        waiting.Tier.Should().Be(RotationTier.Manual);
        waiting.Step.Should().Be(RotationStep.AwaitingNewKey);

        using var recorded = FakeKeys.Generate(ProviderId.Groq);
        provider.AddExistingKey(recorded, "rotated in the console");
        var operation = await harness.Rotator.RecordManualRotationAsync(registered.Reference, recorded);
        operation.Step.Should().Be(RotationStep.GracePeriod);

        var done = await harness.Rotator.CompleteGraceAsync(registered.Reference);
        done.Step.Should().Be(RotationStep.Completed);
        var key = await harness.Keys.GetAsync(registered.Reference);
        key.FindVersion(registered.CurrentVersion!.VersionId)!.Stage.Should().Be(KeyStage.Revoked);
        provider.IsAccepted(oldSecret).Should().BeTrue("IronCage cannot revoke a Groq key; a person deletes it in the console");
        harness.Shared.Events.All.OfType<KeyRevoked>().Should().ContainSingle().Which.ConsoleUrl.Should().Be(new Uri("https://console.groq.com/keys"));
    }

    [Fact]
    public async Task Rotate_Compromised_HasNoGraceAndRevokesTheOldKeyOnceTheNewOneIsVerified()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider);
        var (registered, oldSecret) = await harness.RegisterAsync();

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised);

        operation.Step.Should().Be(RotationStep.Completed);
        provider.IsAccepted(oldSecret).Should().BeFalse();
        var calls = provider.Calls.Select(c => c.Operation).ToList();
        calls.IndexOf(FakeProviderOperation.Delete).Should().BeGreaterThan(calls.IndexOf(FakeProviderOperation.Verify), "the old key is revoked only after the new one is verified");
        await harness.AssertInvariantsAsync(registered.Reference, maxLiveKeys: 1);
    }

    [Fact]
    public async Task Rotate_CompromisedRevokeFirst_KillsAndRevokesTheOldKeyBeforeCreating()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider);
        var (registered, oldSecret) = await harness.RegisterAsync();

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised, new RotationRequest { RevokeFirst = true, Actor = "security@example.com" });

        operation.Step.Should().Be(RotationStep.Completed);
        provider.Calls.Select(c => c.Operation).First().Should().Be(FakeProviderOperation.Delete);
        var old = (await harness.Keys.GetAsync(registered.Reference)).FindVersion(registered.CurrentVersion!.VersionId)!;
        old.KilledAt.Should().NotBeNull();
        old.Stage.Should().Be(KeyStage.Revoked);
        provider.IsAccepted(oldSecret).Should().BeFalse();
        await harness.AssertInvariantsAsync(registered.Reference, maxLiveKeys: 1);
    }

    [Fact]
    public async Task Rotate_RevokeFirstWithoutCompromise_IsRefused()
    {
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI));
        var (registered, _) = await harness.RegisterAsync();
        var act = async () => await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Manual, new RotationRequest { RevokeFirst = true });
        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*Compromised*");
    }

    [Fact]
    public async Task Revoke_KillsAndRevokesWithoutReplacement()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenRouter);
        using var harness = new RotationHarness(provider);
        var (registered, oldSecret) = await harness.RegisterAsync();

        var operation = await harness.Rotator.RevokeAsync(registered.Reference, new RotationRequest { Actor = "alice", Note = "leaked in a log" });

        operation.Step.Should().Be(RotationStep.Completed);
        var key = await harness.Keys.GetAsync(registered.Reference);
        key.CurrentVersion.Should().BeNull();
        key.Versions.Single().KilledAt.Should().NotBeNull();
        provider.IsAccepted(oldSecret).Should().BeFalse();
        var audit = new List<AuditRecord>();
        await foreach (var record in harness.Shared.Audit.ReadAsync())
        {
            audit.Add(record);
        }

        audit.Should().Contain(r => r.Event.Action == AuditAction.KeyRevoke && r.Event.Actor == "alice" && r.Event.Reason == "leaked in a log");
    }

    [Fact]
    public async Task Kill_StopsServingAVersionAtOnce()
    {
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.Groq));
        var (registered, _) = await harness.RegisterAsync();

        var killed = await harness.Rotator.KillAsync(registered.Reference, registered.CurrentVersion!.VersionId, new RotationRequest { Actor = "bob" });

        killed.CurrentVersion!.IsServable.Should().BeFalse();
        harness.Shared.Events.All.OfType<KeyKilled>().Should().ContainSingle();
    }

    [Fact]
    public async Task Rotate_WhileAnotherRotationIsUnderWay_IsAConflict()
    {
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI));
        var (registered, _) = await harness.RegisterAsync();
        await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Manual);

        var act = async () => await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Manual);
        await act.Should().ThrowAsync<RotationConflictException>();
    }

    [Fact]
    public async Task Rotate_PublishesStartedAndCompletedEvents_AndLogsNoSecret()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider);
        var (registered, oldSecret) = await harness.RegisterAsync();
        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised);

        harness.Shared.Events.All.Select(e => e.Type).Should().ContainInOrder("rotation.started", "key.revoked", "rotation.completed");
        var current = (await harness.Keys.GetAsync(registered.Reference)).CurrentVersion!;
        using var newSecret = await harness.OpenAsync(current, registered.Reference);
        foreach (var line in harness.Shared.Logs.Lines)
        {
            line.Should().NotContain(oldSecret.Reveal()[10..40]).And.NotContain(newSecret.Reveal()[10..40]);
        }

        operation.ToString().Should().NotContain(newSecret.Reveal()[10..40]);
    }

    [Fact]
    public async Task Plan_ListsDueKeysWithTheirStrategy_WithoutChangingAnything()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider);
        var (registered, _) = await harness.RegisterAsync(policy: new RotationPolicy { Schedule = RotationSchedule.Monthly });

        var notYet = await harness.Rotator.PlanAsync(harness.Clock.GetCurrentInstant());
        notYet.Items.Should().ContainSingle().Which.IsDue.Should().BeFalse();

        var plan = await harness.Rotator.PlanAsync(Instant.FromUtc(2026, 12, 1, 9, 0));
        var item = plan.Due.Should().ContainSingle().Which;
        item.Key.Should().Be(registered.Reference);
        item.Action.Should().Be(PlannedAction.Rotate);
        item.Tier.Should().Be(RotationTier.Automatic);
        item.DueAt.Should().Be(Instant.FromUtc(2026, 12, 1, 9, 0));
        provider.Calls.Should().BeEmpty();
        (await harness.Operations.FindActiveAsync(registered.Reference)).Should().BeNull();
    }
}

public sealed class RotationRequestTests
{
    [Fact]
    public async Task Rotate_GracePeriodOverride_ReplacesThePolicy()
    {
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI));
        var (registered, _) = await harness.RegisterAsync();

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Manual, new RotationRequest { GracePeriod = Duration.FromHours(2) });

        operation.GraceEndsAt.Should().Be(harness.Clock.GetCurrentInstant() + Duration.FromHours(2));
    }

    [Fact]
    public async Task Rotate_GracePeriodOverrideOutOfRange_IsRefused()
    {
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI));
        var (registered, _) = await harness.RegisterAsync();
        var act = async () => await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Manual, new RotationRequest { GracePeriod = Duration.FromDays(31) });
        await act.Should().ThrowAsync<RotationPolicyException>();
    }

    [Fact]
    public async Task SupplyNewKey_ThatFailsVerification_IsRolledBackAndDeactivated()
    {
        var provider = FakeProviderAdapter.For(ProviderId.Anthropic);
        using var harness = new RotationHarness(provider, configure: o => o.VerifyPropagationAttempts = 1);
        var (registered, oldSecret) = await harness.RegisterAsync();
        await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Manual);
        using var supplied = FakeKeys.Generate(ProviderId.Anthropic);
        var suppliedId = provider.AddExistingKey(supplied);
        provider.On(FakeProviderOperation.Verify).Fail(ProviderErrorKind.InvalidKey, times: 5);

        var operation = await harness.Rotator.SupplyNewKeyAsync(registered.Reference, supplied);

        operation.Step.Should().Be(RotationStep.Failed);
        provider.CallsTo(FakeProviderOperation.Deactivate).Should().ContainSingle().Which.ProviderKeyId.Should().Be(suppliedId);
        provider.IsAccepted(oldSecret).Should().BeTrue("the old key stays current");
        (await harness.Keys.GetAsync(registered.Reference)).CurrentVersion!.VersionId.Should().Be(registered.CurrentVersion!.VersionId);
    }
}
