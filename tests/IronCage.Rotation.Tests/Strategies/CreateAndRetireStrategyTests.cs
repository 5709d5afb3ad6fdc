using IronCage.Providers;
using IronCage.Testing;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Rotation.Tests.Strategies;

public sealed class CreateAndRetireStrategyTests
{
    [Fact]
    public async Task ObtainAsync_ProviderWithExpiry_CreatesNamedKeyExpiringAfterPolicyLifetime()
    {
        var clock = new FakeClock(StrategyTestKit.Now);
        var provider = new FakeProviderAdapter(ProviderId.Anthropic, ProviderCapabilities.Create | ProviderCapabilities.Delete | ProviderCapabilities.List | ProviderCapabilities.Expiry, clock);
        var strategy = new CreateAndRetireStrategy(clock);
        var context = StrategyTestKit.Context(provider, RotationTier.Automatic, policy: new RotationPolicy { KeyLifetime = Duration.FromDays(90) });

        using var obtained = await strategy.ObtainAsync(context, supplied: null, CancellationToken.None);

        provider.IsAccepted(obtained.Secret).Should().BeTrue();
        obtained.ProviderKeyId.Should().NotBeNull();
        obtained.ExpiresAt.Should().Be(StrategyTestKit.Now + Duration.FromDays(90));
        (await ListAsync(provider, context)).Should().ContainSingle(k => k.ProviderKeyId == obtained.ProviderKeyId).Which.Name.Should().Be("ironcage-prod-test");
    }

    [Fact]
    public async Task ObtainAsync_SuppliedKey_Throws()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var supplied = FakeKeys.Generate(ProviderId.OpenAI);

        var act = async () => await new CreateAndRetireStrategy(new FakeClock(StrategyTestKit.Now)).ObtainAsync(StrategyTestKit.Context(provider, RotationTier.Automatic), supplied, CancellationToken.None);

        await act.Should().ThrowAsync<IronCageException>().WithMessage("*creates its own keys*");
        provider.Calls.Should().BeEmpty();
    }

    [Fact]
    public async Task DiscardAsync_ProviderDeletes_DeletesTheKey()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);
        var id = provider.AddExistingKey(secret);

        await new CreateAndRetireStrategy(new FakeClock(StrategyTestKit.Now)).DiscardAsync(StrategyTestKit.Context(provider, RotationTier.Automatic), id, CancellationToken.None);

        provider.CallsTo(FakeProviderOperation.Delete).Should().ContainSingle().Which.ProviderKeyId.Should().Be(id);
        provider.IsAccepted(secret).Should().BeFalse();
    }

    [Fact]
    public async Task RetireAsync_ProviderCanOnlyDeactivate_Deactivates()
    {
        var provider = new FakeProviderAdapter(new ProviderId("acme"), ProviderCapabilities.Create | ProviderCapabilities.Deactivate | ProviderCapabilities.Verify);
        using var secret = FakeKeys.Generate(provider.Provider);
        var id = provider.AddExistingKey(secret);

        await new CreateAndRetireStrategy(new FakeClock(StrategyTestKit.Now)).RetireAsync(StrategyTestKit.Context(provider, RotationTier.Automatic), previous: null, id, CancellationToken.None);

        provider.CallsTo(FakeProviderOperation.Deactivate).Should().ContainSingle().Which.ProviderKeyId.Should().Be(id);
        provider.CallsTo(FakeProviderOperation.Delete).Should().BeEmpty();
    }

    [Fact]
    public async Task RetireAsync_KeyAlreadyGone_Succeeds()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        provider.On(FakeProviderOperation.Delete).Fail(ProviderErrorKind.NotFound);

        var act = async () => await new CreateAndRetireStrategy(new FakeClock(StrategyTestKit.Now)).RetireAsync(StrategyTestKit.Context(provider, RotationTier.Automatic), previous: null, "key_gone", CancellationToken.None);

        await act.Should().NotThrowAsync("a key the provider no longer has is what revocation wants");
    }

    [Fact]
    public async Task RestoreAsync_ProviderUndeletes_UndeletesAndReportsRestored()
    {
        var provider = FakeProviderAdapter.For(ProviderId.GoogleGemini);
        using var secret = FakeKeys.Generate(ProviderId.GoogleGemini);
        var id = provider.AddExistingKey(secret);
        var context = StrategyTestKit.Context(provider, RotationTier.CreateThenDelete);
        await provider.DeleteKeyAsync(context.Provider, id);

        var restored = await new CreateAndRetireStrategy(new FakeClock(StrategyTestKit.Now)).RestoreAsync(context, id, CancellationToken.None);

        restored.Should().BeTrue();
        provider.IsAccepted(secret).Should().BeTrue();
    }

    [Fact]
    public async Task RestoreAsync_ProviderCannotUndelete_ReportsNotRestoredWithoutCalling()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);

        var restored = await new CreateAndRetireStrategy(new FakeClock(StrategyTestKit.Now)).RestoreAsync(StrategyTestKit.Context(provider, RotationTier.Automatic), "key_old", CancellationToken.None);

        restored.Should().BeFalse();
        provider.Calls.Should().BeEmpty();
    }

    private static async Task<List<ProviderKeyInfo>> ListAsync(FakeProviderAdapter provider, RotationStrategyContext context)
    {
        var keys = new List<ProviderKeyInfo>();
        await foreach (var key in provider.ListKeysAsync(context.Provider))
        {
            keys.Add(key);
        }

        return keys;
    }
}
