using IronCage.Providers;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Rotation.Tests;

/// <summary>Registering a key the provider already holds: how it is matched to the provider's key (by id, hint or slot) and refused when it cannot be. Each test failed before its fix.</summary>
public sealed class RegistrationMatchingTests
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
}
