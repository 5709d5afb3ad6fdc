using IronCage.Rotation;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using RichardSzalay.MockHttp;

namespace IronCage.Providers.AzureOpenAI.Tests;

/// <summary>The rotation engine's slot-alternating strategy against scripted Azure HTTP.</summary>
public sealed class AzureOpenAIRotationTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rotate_RegeneratesTheOtherSlot_PromotesIt_AndAfterGraceRegeneratesTheOldSlot(bool asynchronous)
    {
        var emulator = new AzureEmulator(asynchronous);
        using var host = emulator.Host();
        var context = AzureEmulator.Context();
        var oldValue = emulator.Key1;
        using var initial = SecretValue.FromString(oldValue);
        var registered = await host.Rotator.RegisterAsync(new KeyRegistration { Reference = context.Key, ProviderKeyId = "Key1", Scope = context.Scope }, initial);

        var operation = await host.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);

        operation.Tier.Should().Be(RotationTier.SlotAlternating);
        operation.Step.Should().Be(RotationStep.GracePeriod);
        operation.NewProviderKeyId.Should().Be("Key2");
        emulator.Key1.Should().Be(oldValue, "Key1 keeps working during grace");
        var during = await host.Keys.GetAsync(registered.Reference);
        during.CurrentVersion!.Slot.Should().Be("Key2");
        using (var current = await host.OpenAsync(during.CurrentVersion, registered.Reference))
        {
            current.Matches(emulator.Key2).Should().BeTrue();
        }

        var completed = await host.Rotator.CompleteGraceAsync(registered.Reference);

        completed.Step.Should().Be(RotationStep.Completed);
        emulator.Key1.Should().NotBe(oldValue, "regenerating Key1 after grace killed the old value");
        var after = await host.Keys.GetAsync(registered.Reference);
        using (var current = await host.OpenAsync(after.CurrentVersion!, registered.Reference))
        {
            current.Matches(emulator.Key2).Should().BeTrue("the promoted Key2 value stays current");
        }

        host.ShouldNotLeak(emulator.AllValues.Append(oldValue).Distinct());
    }

    /// <summary>
    /// For slots, "exactly one live key" means: the slot IronCage regenerated is the one it tracks and serves, the value a
    /// regenerate answered 500 had already given that slot is dead (the slot was regenerated again), the old Current slot
    /// keeps working until the grace period ends, and after it no value anyone ever received works but the tracked one
    /// (the old slot then holds a fresh value that nobody was given).
    /// </summary>
    [Fact]
    public async Task Rotate_HostWithStandardResilienceDefaultsAndARegenerateAnswered500AfterActing_TracksTheSlotsLiveValueAndKeepsTheOldSlotUntilGrace()
    {
        var emulator = new AzureEmulator();
        using var host = emulator.Host(hostServices: s => s.ConfigureHttpClientDefaults(b => b.AddStandardResilienceHandler()));
        var context = AzureEmulator.Context();
        var oldValue = emulator.Key1;
        using (var initial = SecretValue.FromString(oldValue))
        {
            await host.Rotator.RegisterAsync(new KeyRegistration { Reference = context.Key, ProviderKeyId = "Key1", Scope = context.Scope }, initial);
        }

        emulator.FailNextRegenerateAfterActing = true;

        var operation = await host.Rotator.RotateAsync(context.Key, RotationReason.Manual);

        operation.Step.Should().Be(RotationStep.GracePeriod, operation.LastError);
        operation.NewProviderKeyId.Should().Be("Key2");
        emulator.Regenerations.Select(r => r.Slot).Should().Equal(["Key2", "Key2"], "IronCage's pipeline repeats a regenerate of the slot not in use once (safe: nothing serves it); the host's standard handler adds no attempt");
        var lost = emulator.Regenerations[0].Value;
        emulator.IsValid(lost).Should().BeFalse("the value the 500 hid was replaced when the slot was regenerated again");
        emulator.IsValid(oldValue).Should().BeTrue("the old Current slot keeps working during grace");
        var during = await host.Keys.GetAsync(context.Key);
        during.CurrentVersion!.Slot.Should().Be("Key2");
        during.Versions.Should().HaveCount(2, "one tracked value per slot: the new Current and the Previous");
        using (var current = await host.OpenAsync(during.CurrentVersion, context.Key))
        {
            current.Matches(emulator.Key2).Should().BeTrue("the slot's live value is the one tracked");
        }

        var completed = await host.Rotator.CompleteGraceAsync(context.Key);

        completed.Step.Should().Be(RotationStep.Completed, completed.LastError);
        emulator.IsValid(oldValue).Should().BeFalse("regenerating Key1 after grace killed the old value");
        emulator.Regenerations.Select(r => r.Value).Where(emulator.IsValid).Should().Equal([emulator.Key2, emulator.Key1]);
        var handedOut = new[] { oldValue, lost, emulator.Regenerations[1].Value };
        handedOut.Where(emulator.IsValid).Should().Equal([emulator.Key2], "of every value IronCage ever received, only the tracked one still works");
        var after = await host.Keys.GetAsync(context.Key);
        using (var current = await host.OpenAsync(after.CurrentVersion!, context.Key))
        {
            current.Matches(emulator.Key2).Should().BeTrue();
        }

        host.ShouldNotLeak(emulator.AllValues.Append(oldValue).Distinct());
    }

    [Fact]
    public async Task Rotate_NewSlotFailsVerification_RollsBackAndKeepsTheOldKeyCurrent()
    {
        var emulator = new AzureEmulator();
        using var host = emulator.Host(o => o.MaxRetries = 0);
        var context = AzureEmulator.Context();
        var oldValue = emulator.Key1;
        using var initial = SecretValue.FromString(oldValue);
        var registered = await host.Rotator.RegisterAsync(new KeyRegistration { Reference = context.Key, ProviderKeyId = "Key1", Scope = context.Scope }, initial);

        // The data plane now refuses every key but the old one: the regenerated Key2 does not verify.
        emulator.Handler.Clear();
        emulator.Handler.When(HttpMethod.Post, AzureEmulator.Account + "/regenerateKey").Respond("application/json", """{"key1":"0a1b2c3d4e5f60718293a4b5c6d7e8f9","key2":"11112222333344445555666677778888"}""");
        emulator.Handler.When(HttpMethod.Get, AzureEmulator.DataPlane + "/openai/v1/models").Respond(request =>
            request.Headers.GetValues("api-key").Single() == oldValue
                ? AzureEmulator.Json(System.Net.HttpStatusCode.OK, """{"data":[]}""")
                : AzureEmulator.Json(System.Net.HttpStatusCode.Unauthorized, File.ReadAllText("TestData/DataPlane401.json")));

        var operation = await host.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);
        for (var i = 0; i < 10 && operation.Step is not (RotationStep.Failed or RotationStep.Completed); i++)
        {
            host.Clock.Advance(Duration.FromHours(1));
            operation = await host.Rotator.ResumeAsync(operation.OperationId);
        }

        operation.Step.Should().Be(RotationStep.Failed);
        var key = await host.Keys.GetAsync(registered.Reference);
        using var current = await host.OpenAsync(key.CurrentVersion!, registered.Reference);
        current.Matches(oldValue).Should().BeTrue("the old slot stays current when the new one fails verification");
        host.ShouldNotLeak([oldValue, "11112222333344445555666677778888", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"]);
    }
}
