using Azure.Core;
using IronCage.Providers.AzureOpenAI;
using IronCage.Rotation;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Providers.AzureOpenAI.Tests;

/// <summary>The rotation engine's slot-alternating strategy against the public <see cref="AzureCognitiveServicesEmulator"/> (ARM bearer and api-version checked).</summary>
public sealed class AzureOpenAIRotationTests : IAsyncLifetime
{
    private readonly List<IDisposable> _owned = [];
    private AzureCognitiveServicesEmulator _azure = null!;

    private string Key1 => _azure.GetKey("sub-1", "rg-ai", "my-openai", "Key1");

    private string Key2 => _azure.GetKey("sub-1", "rg-ai", "my-openai", "Key2");

    public async Task InitializeAsync()
    {
        _azure = await AzureCognitiveServicesEmulator.StartAsync();
        _azure.AddAccount("sub-1", "rg-ai", "my-openai");
    }

    public async Task DisposeAsync()
    {
        _owned.ForEach(o => o.Dispose());
        await _azure.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rotate_RegeneratesTheOtherSlot_PromotesIt_AndAfterGraceRegeneratesTheOldSlot(bool asynchronous)
    {
        _azure.AsynchronousRegenerate = asynchronous;
        var host = Host();
        var context = AzureWire.Context();
        var oldValue = Key1;
        using var initial = SecretValue.FromString(oldValue);
        var registered = await host.Rotator.RegisterAsync(new KeyRegistration { Reference = context.Key, ProviderKeyId = "Key1", Scope = context.Scope }, initial);

        var operation = await host.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);

        operation.Tier.Should().Be(RotationTier.SlotAlternating);
        operation.Step.Should().Be(RotationStep.GracePeriod);
        operation.NewProviderKeyId.Should().Be("Key2");
        Key1.Should().Be(oldValue, "Key1 keeps working during grace");
        var during = await host.Keys.GetAsync(registered.Reference);
        during.CurrentVersion!.Slot.Should().Be("Key2");
        using (var current = await host.OpenAsync(during.CurrentVersion, registered.Reference))
        {
            current.Matches(Key2).Should().BeTrue();
        }

        var completed = await host.Rotator.CompleteGraceAsync(registered.Reference);

        completed.Step.Should().Be(RotationStep.Completed);
        Key1.Should().NotBe(oldValue, "regenerating Key1 after grace killed the old value");
        var after = await host.Keys.GetAsync(registered.Reference);
        using (var current = await host.OpenAsync(after.CurrentVersion!, registered.Reference))
        {
            current.Matches(Key2).Should().BeTrue("the promoted Key2 value stays current");
        }

        host.ShouldNotLeak(_azure.IssuedKeys.Append(_azure.ArmToken));
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
        var host = Host(hostServices: s => s.ConfigureHttpClientDefaults(b => b.AddStandardResilienceHandler()));
        var context = AzureWire.Context();
        var oldValue = Key1;
        using (var initial = SecretValue.FromString(oldValue))
        {
            await host.Rotator.RegisterAsync(new KeyRegistration { Reference = context.Key, ProviderKeyId = "Key1", Scope = context.Scope }, initial);
        }

        _azure.FailNextRegenerateAfterActing();

        var operation = await host.Rotator.RotateAsync(context.Key, RotationReason.Manual);

        operation.Step.Should().Be(RotationStep.GracePeriod, operation.LastError);
        operation.NewProviderKeyId.Should().Be("Key2");
        _azure.Regenerations.Select(r => r.Slot).Should().Equal(["Key2", "Key2"], "IronCage's pipeline repeats a regenerate of the slot not in use once (safe: nothing serves it); the host's standard handler adds no attempt");
        var lost = _azure.Regenerations[0].Value;
        _azure.IsValid(lost).Should().BeFalse("the value the 500 hid was replaced when the slot was regenerated again");
        _azure.IsValid(oldValue).Should().BeTrue("the old Current slot keeps working during grace");
        var during = await host.Keys.GetAsync(context.Key);
        during.CurrentVersion!.Slot.Should().Be("Key2");
        during.Versions.Should().HaveCount(2, "one tracked value per slot: the new Current and the Previous");
        using (var current = await host.OpenAsync(during.CurrentVersion, context.Key))
        {
            current.Matches(Key2).Should().BeTrue("the slot's live value is the one tracked");
        }

        var completed = await host.Rotator.CompleteGraceAsync(context.Key);

        completed.Step.Should().Be(RotationStep.Completed, completed.LastError);
        _azure.IsValid(oldValue).Should().BeFalse("regenerating Key1 after grace killed the old value");
        _azure.Regenerations.Select(r => r.Value).Where(_azure.IsValid).Should().Equal([Key2, Key1]);
        var handedOut = new[] { oldValue, lost, _azure.Regenerations[1].Value };
        handedOut.Where(_azure.IsValid).Should().Equal([Key2], "of every value IronCage ever received, only the tracked one still works");
        var after = await host.Keys.GetAsync(context.Key);
        using (var current = await host.OpenAsync(after.CurrentVersion!, context.Key))
        {
            current.Matches(Key2).Should().BeTrue();
        }

        host.ShouldNotLeak(_azure.IssuedKeys.Append(_azure.ArmToken));
    }

    [Fact]
    public async Task Rotate_NewSlotFailsVerification_RollsBackAndKeepsTheOldKeyCurrent()
    {
        var host = Host(o => o.MaxRetries = 0);
        var context = AzureWire.Context();
        var oldValue = Key1;
        using var initial = SecretValue.FromString(oldValue);
        var registered = await host.Rotator.RegisterAsync(new KeyRegistration { Reference = context.Key, ProviderKeyId = "Key1", Scope = context.Scope }, initial);

        // The data plane now refuses every regenerated value: the regenerated Key2 does not verify.
        _azure.NewKeysRefusedByDataPlane = true;

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
        _azure.IsValid(oldValue).Should().BeTrue();
        host.ShouldNotLeak(_azure.IssuedKeys);
    }

    // A host whose ARM and data-plane calls reach the emulator.
    private CloudProviderTestHost Host(Action<AzureOpenAIProviderOptions>? configure = null, Action<IServiceCollection>? hostServices = null)
    {
        var handler = _azure.CreateHttpMessageHandler();
        var host = new CloudProviderTestHost(
            b => b.AddAzureOpenAI("azure", o =>
            {
                o.Credential = new StaticToken(_azure.ArmToken);
                o.PollInterval = TimeSpan.FromMilliseconds(1);
                o.MaxPollInterval = TimeSpan.FromMilliseconds(5);
                o.RetryDelay = TimeSpan.FromMilliseconds(1);
                configure?.Invoke(o);
            }),
            AzureOpenAIConstants.HttpClientName,
            handler,
            hostServices: hostServices);
        _owned.Add(host);
        _owned.Add(handler);
        return host;
    }

    private sealed class StaticToken(string token) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(token, DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
