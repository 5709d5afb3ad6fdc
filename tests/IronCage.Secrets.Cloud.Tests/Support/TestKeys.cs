using IronCage.Encryption;
using NodaTime;

namespace IronCage.Secrets.Cloud.Tests;

/// <summary>Managed keys, versions and distributions for the target tests (sealed secrets are placeholders: targets never open them).</summary>
internal static class TestKeys
{
    public static readonly KeyReference OpenAIProd = new(ProviderId.OpenAI, "prod");

    public static KeyVersion Version(string? id = null) => new()
    {
        VersionId = id ?? KeyVersion.NewVersionId(),
        Stage = KeyStage.Pending,
        CreatedAt = Instant.FromUtc(2026, 12, 1, 0, 0),
        DisplayHint = "sk-...test",
        Fingerprint = "fp",
        Secret = new EncryptedSecret { KeyEncryptionKeyId = "kek", WrappedDataKey = new byte[32], Nonce = new byte[12], Ciphertext = new byte[16] },
    };

    public static ManagedKey Key(KeyReference? reference = null, params KeyVersion[] versions)
        => new() { Reference = reference ?? OpenAIProd, Versions = versions, CreatedAt = Instant.FromUtc(2026, 1, 1, 0, 0) };

    public static KeyDistribution Distribution(SecretValue secret, KeyVersion? version = null, string operationId = "op_1", KeyReference? reference = null)
    {
        version ??= Version();
        return new KeyDistribution { OperationId = operationId, Key = Key(reference, version), Version = version, Secret = secret };
    }
}
