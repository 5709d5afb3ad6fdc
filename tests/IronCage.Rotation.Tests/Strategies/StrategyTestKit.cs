using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Testing;
using IronCage.Verification;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Rotation.Tests.Strategies;

/// <summary>Builds a strategy over a fake provider and gives it the context the engine would: an operation and the key as stored.</summary>
internal static class StrategyTestKit
{
    public static readonly Instant Now = Instant.FromUtc(2026, 11, 1, 9, 0);

    public static RotationProviders Providers(FakeProviderAdapter adapter, params ProviderDescriptor[] descriptors)
    {
        var services = new ServiceCollection();
        services.AddIronCage(o =>
        {
            foreach (var descriptor in descriptors)
            {
                o.AddProvider(descriptor);
            }
        }).ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).AddProviderAdapter(adapter);
        var provider = services.BuildServiceProvider();
        return new RotationProviders([adapter], provider.GetRequiredService<IProviderCatalog>(), provider.GetRequiredService<IKeyVerifier>());
    }

    public static RotationStrategyContext Context(FakeProviderAdapter adapter, RotationTier tier, KeyVersion? current = null, RotationPolicy? policy = null)
    {
        var key = new ManagedKey
        {
            Reference = new KeyReference(adapter.Provider, "prod"),
            Policy = policy ?? RotationPolicy.Default,
            Versions = current is null ? [] : [current],
        };
        var operation = new RotationOperation
        {
            OperationId = RotationOperation.NewOperationId(),
            Key = key.Reference,
            Reason = RotationReason.Scheduled,
            Tier = tier,
            Step = RotationStep.Requested,
            RequestedBy = "test",
            RequestedAt = Now,
            UpdatedAt = Now,
            PreviousVersionId = current?.VersionId,
            PreviousProviderKeyId = current?.ProviderKeyId,
            NewVersionId = KeyVersion.NewVersionId(),
            ProviderKeyName = "ironcage-prod-test",
        };
        return new RotationStrategyContext(operation, key, adapter);
    }

    public static KeyVersion Version(string? providerKeyId, string? slot = null) => new()
    {
        VersionId = KeyVersion.NewVersionId(),
        ProviderKeyId = providerKeyId,
        Slot = slot,
        Stage = KeyStage.Current,
        CreatedAt = Now,
        DisplayHint = "sk-…abcd",
        Fingerprint = "fp",
        Secret = new EncryptedSecret { KeyEncryptionKeyId = "kek", WrappedDataKey = new byte[] { 1 }, Nonce = new byte[] { 2 }, Ciphertext = new byte[] { 3 } },
    };
}
