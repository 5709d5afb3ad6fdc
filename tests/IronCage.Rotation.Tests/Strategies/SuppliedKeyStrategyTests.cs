using IronCage.Providers;
using IronCage.Testing;

namespace IronCage.Rotation.Tests.Strategies;

public sealed class SuppliedKeyStrategyTests
{
    [Fact]
    public async Task ObtainAsync_SemiAutomatic_IdentifiesSuppliedKeyAtProvider()
    {
        var provider = FakeProviderAdapter.For(ProviderId.Anthropic);
        using var supplied = FakeKeys.Generate(ProviderId.Anthropic);
        var id = provider.AddExistingKey(supplied, "made-in-console");
        var strategy = SuppliedKeyStrategy.SemiAutomatic(StrategyTestKit.Providers(provider));

        using var obtained = await strategy.ObtainAsync(StrategyTestKit.Context(provider, RotationTier.SemiAutomatic), supplied, CancellationToken.None);

        obtained.ProviderKeyId.Should().Be(id);
        obtained.Secret.Should().BeSameAs(supplied);
        provider.CallsTo(FakeProviderOperation.List).Should().ContainSingle();
    }

    [Fact]
    public async Task ObtainAsync_Manual_AcceptsSuppliedKeyWithoutCallingProvider()
    {
        var provider = FakeProviderAdapter.For(ProviderId.Anthropic);
        using var supplied = FakeKeys.Generate(ProviderId.Anthropic);
        var strategy = SuppliedKeyStrategy.Manual(StrategyTestKit.Providers(provider));

        using var obtained = await strategy.ObtainAsync(StrategyTestKit.Context(provider, RotationTier.Manual), supplied, CancellationToken.None);

        obtained.ProviderKeyId.Should().BeNull();
        provider.Calls.Should().BeEmpty();
    }

    [Fact]
    public async Task ObtainAsync_NothingSupplied_ThrowsWithConsoleUrl()
    {
        var provider = FakeProviderAdapter.For(ProviderId.Anthropic);
        var strategy = SuppliedKeyStrategy.SemiAutomatic(StrategyTestKit.Providers(provider));

        var act = async () => await strategy.ObtainAsync(StrategyTestKit.Context(provider, RotationTier.SemiAutomatic), supplied: null, CancellationToken.None);

        await act.Should().ThrowAsync<IronCageException>().WithMessage("*waits for a person*console.anthropic.com*");
    }

    [Fact]
    public async Task RetireAsync_SemiAutomatic_RetiresOldKeyAtProvider()
    {
        var provider = FakeProviderAdapter.For(ProviderId.Anthropic);
        using var secret = FakeKeys.Generate(ProviderId.Anthropic);
        var id = provider.AddExistingKey(secret);

        await SuppliedKeyStrategy.SemiAutomatic(StrategyTestKit.Providers(provider)).RetireAsync(StrategyTestKit.Context(provider, RotationTier.SemiAutomatic), previous: null, id, CancellationToken.None);

        provider.IsAccepted(secret).Should().BeFalse();
    }

    [Fact]
    public async Task RetireAsync_Manual_LeavesOldKeyToAPerson()
    {
        var provider = FakeProviderAdapter.For(ProviderId.Anthropic);
        using var secret = FakeKeys.Generate(ProviderId.Anthropic);
        var id = provider.AddExistingKey(secret);
        var strategy = SuppliedKeyStrategy.Manual(StrategyTestKit.Providers(provider));

        await strategy.RetireAsync(StrategyTestKit.Context(provider, RotationTier.Manual), previous: null, id, CancellationToken.None);

        strategy.RetiresAtProvider.Should().BeFalse();
        provider.Calls.Should().BeEmpty();
        provider.IsAccepted(secret).Should().BeTrue();
    }
}
