using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime.Testing;

namespace IronCage.Rotation.Tests.Strategies;

/// <summary>The seam for providers that revoke by value (Perplexity): the sealed secret reaches the adapter only for that call.</summary>
public sealed class SecretRevokingRetirementTests
{
    [Fact]
    public async Task RetireAsync_AdapterRevokesByValue_GetsThePreviousVersionsUnsealedSecret()
    {
        using var harness = new RotationHarness(new FakeProviderAdapter(ProviderId.Perplexity, ProviderCapabilities.Create | ProviderCapabilities.Delete));
        var revoker = new ValueRevokingAdapter();
        using var old = FakeKeys.Generate(ProviderId.Perplexity);
        var context = StrategyTestKit.Context(harness.Provider, RotationTier.Automatic) with { Adapter = revoker };
        var version = StrategyTestKit.Version("ironcage-prod-1") with { Secret = await harness.Protector.SealAsync(old, new SecretBinding(context.Key.Reference, "v-old")), VersionId = "v-old" };
        var strategy = new CreateAndRetireStrategy(new FakeClock(StrategyTestKit.Now), harness.Services.GetRequiredService<SecretSealer>());

        await strategy.RetireAsync(context, version, "ironcage-prod-1", CancellationToken.None);

        revoker.Revoked.Should().ContainSingle().Which.Should().Be(("ironcage-prod-1", old.Reveal()));
        harness.Shared.Logs.Lines.Should().NotContain(l => l.Contains(old.Reveal(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task RetireAsync_AdapterRevokesByValue_WithoutASealedVersion_ThrowsWithConsoleAdvice()
    {
        using var harness = new RotationHarness(new FakeProviderAdapter(ProviderId.Perplexity, ProviderCapabilities.Create | ProviderCapabilities.Delete));
        var revoker = new ValueRevokingAdapter();
        var context = StrategyTestKit.Context(harness.Provider, RotationTier.Automatic) with { Adapter = revoker };
        var strategy = new CreateAndRetireStrategy(new FakeClock(StrategyTestKit.Now), harness.Services.GetRequiredService<SecretSealer>());

        var act = () => strategy.RetireAsync(context, previous: null, "ironcage-prod-1", CancellationToken.None);

        await act.Should().ThrowAsync<IronCageException>().WithMessage("*revokes a key by its value*console*");
        revoker.Revoked.Should().BeEmpty();
    }

    [Fact]
    public async Task DiscardAsync_AdapterRevokesByValue_AfterTheNewKeyWasStoredAsPending_GetsThePendingVersionsUnsealedSecret()
    {
        using var harness = new RotationHarness(new FakeProviderAdapter(ProviderId.Perplexity, ProviderCapabilities.Create | ProviderCapabilities.Delete));
        var revoker = new ValueRevokingAdapter();
        using var fresh = FakeKeys.Generate(ProviderId.Perplexity);
        var reference = new KeyReference(ProviderId.Perplexity, "prod");
        var pending = StrategyTestKit.Version("ironcage-prod-2") with { VersionId = "v-new", Stage = KeyStage.Pending, Secret = await harness.Protector.SealAsync(fresh, new SecretBinding(reference, "v-new")) };
        var context = StrategyTestKit.Context(harness.Provider, RotationTier.Automatic, current: pending) with { Adapter = revoker };
        // Stored as Pending: the operation no longer carries the sealed value, the pending version does (a failed verification rolls back from here).
        context = context with { Operation = context.Operation with { NewVersionId = "v-new", NewProviderKeyId = "ironcage-prod-2", NewSecret = null } };
        var strategy = new CreateAndRetireStrategy(new FakeClock(StrategyTestKit.Now), harness.Services.GetRequiredService<SecretSealer>());

        await strategy.DiscardAsync(context, "ironcage-prod-2", CancellationToken.None);

        revoker.Revoked.Should().ContainSingle().Which.Should().Be(("ironcage-prod-2", fresh.Reveal()));
    }

    private sealed class ValueRevokingAdapter : ProviderAdapter, ISecretRevokingProviderAdapter
    {
        public List<(string Id, string Value)> Revoked { get; } = [];

        public override ProviderId Provider => ProviderId.Perplexity;

        public override ProviderCapabilities Capabilities => ProviderCapabilities.Create | ProviderCapabilities.Delete;

        public Task RevokeKeyAsync(ProviderKeyContext context, string providerKeyId, SecretValue secret, CancellationToken cancellationToken = default)
        {
            Revoked.Add((providerKeyId, secret.Reveal()));
            return Task.CompletedTask;
        }
    }
}
