using IronCage.Rotation;
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
