using IronCage.Providers;
using IronCage.Testing;

namespace IronCage.Rotation.Tests.Strategies;

public sealed class SlotAlternatingStrategyTests
{
    [Theory]
    [InlineData("Key1", "Key2")]
    [InlineData("Key2", "Key1")]
    public async Task ObtainAsync_CurrentSlot_RegeneratesTheOtherSlot(string current, string expected)
    {
        var provider = FakeProviderAdapter.For(ProviderId.AzureOpenAI);
        var strategy = new SlotAlternatingStrategy(StrategyTestKit.Providers(provider));

        using var obtained = await strategy.ObtainAsync(StrategyTestKit.Context(provider, RotationTier.SlotAlternating, StrategyTestKit.Version(current, slot: current)), supplied: null, CancellationToken.None);

        obtained.Slot.Should().Be(expected);
        obtained.ProviderKeyId.Should().Be(expected);
        provider.CallsTo(FakeProviderOperation.Regenerate).Should().ContainSingle().Which.ProviderKeyId.Should().Be(expected);
    }

    [Fact]
    public async Task ObtainAsync_CurrentVersionWithoutSlotOrId_Throws()
    {
        var provider = FakeProviderAdapter.For(ProviderId.AzureOpenAI);
        var strategy = new SlotAlternatingStrategy(StrategyTestKit.Providers(provider));

        var act = async () => await strategy.ObtainAsync(StrategyTestKit.Context(provider, RotationTier.SlotAlternating, StrategyTestKit.Version(providerKeyId: null)), supplied: null, CancellationToken.None);

        await act.Should().ThrowAsync<IronCageException>().WithMessage("*which slot*Key1 or Key2*");
        provider.Calls.Should().BeEmpty();
    }

    [Fact]
    public async Task RetireAsync_PreviousVersionInSlot_RegeneratesItsSlot()
    {
        var provider = FakeProviderAdapter.For(ProviderId.AzureOpenAI);
        var strategy = new SlotAlternatingStrategy(StrategyTestKit.Providers(provider));
        var previous = StrategyTestKit.Version("Key1", slot: "Key1");

        await strategy.RetireAsync(StrategyTestKit.Context(provider, RotationTier.SlotAlternating, previous), previous, "Key1", CancellationToken.None);

        provider.CallsTo(FakeProviderOperation.Regenerate).Should().ContainSingle().Which.ProviderKeyId.Should().Be("Key1");
    }

    [Fact]
    public async Task DiscardAsync_RegeneratedSlot_CallsNothing()
    {
        var provider = FakeProviderAdapter.For(ProviderId.AzureOpenAI);

        await new SlotAlternatingStrategy(StrategyTestKit.Providers(provider)).DiscardAsync(StrategyTestKit.Context(provider, RotationTier.SlotAlternating), "Key2", CancellationToken.None);

        provider.Calls.Should().BeEmpty("a regenerated slot cannot be given back, and regenerating it again would not restore anything");
    }
}
