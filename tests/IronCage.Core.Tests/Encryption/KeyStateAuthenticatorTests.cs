using System.Security.Cryptography;
using IronCage.Encryption;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Core.Tests.Encryption;

public sealed class KeyStateAuthenticatorTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 1, 9, 0);
    private static readonly KeyReference Key = KeyReference.Parse("openai/prod");
    private static readonly byte[] MacKey = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    private static KeyVersion Killed => new()
    {
        VersionId = "kv_1",
        Stage = KeyStage.Current,
        CreatedAt = T0,
        KilledAt = T0,
        DisplayHint = "sk-…1",
        Fingerprint = "fp1.test.kv_1",
        Secret = new EncryptedSecret { KeyEncryptionKeyId = "local-0011223344556677", WrappedDataKey = RandomNumberGenerator.GetBytes(60), Nonce = RandomNumberGenerator.GetBytes(12), Ciphertext = RandomNumberGenerator.GetBytes(51) },
    };

    [Fact]
    public void IsAuthentic_StateAsSealed_IsTrue()
    {
        var authenticator = new KeyStateAuthenticator("test", MacKey);

        authenticator.IsAuthentic(Key, Killed, authenticator.Seal(Key, Killed)).Should().BeTrue();
    }

    [Fact]
    public void IsAuthentic_AnySealedFieldChanged_IsFalse()
    {
        var authenticator = new KeyStateAuthenticator("test", MacKey);
        var seal = authenticator.Seal(Key, Killed);

        authenticator.IsAuthentic(Key, Killed with { KilledAt = null }, seal).Should().BeFalse("a cleared kill");
        authenticator.IsAuthentic(Key, Killed with { Stage = KeyStage.Previous }, seal).Should().BeFalse("another stage");
        authenticator.IsAuthentic(Key, Killed with { RevokedAt = T0 }, seal).Should().BeFalse("a revocation instant");
        authenticator.IsAuthentic(Key, Killed with { RevocationFailedAt = T0 }, seal).Should().BeFalse("a revocation failure");
        authenticator.IsAuthentic(Key, Killed with { VersionId = "kv_2" }, seal).Should().BeFalse("another version");
        authenticator.IsAuthentic(KeyReference.Parse("openai/other"), Killed, seal).Should().BeFalse("another key");
        authenticator.IsAuthentic(Key, Killed, null).Should().BeFalse("no seal");
        authenticator.IsAuthentic(Key, Killed, "ks1.other." + seal.Split('.')[^1]).Should().BeFalse("an unknown key id");
    }

    [Fact]
    public void Seal_FromTheMasterKey_VerifiesAfterAMasterKeyRotationWhileTheOldKeyIsRetired()
    {
        var old = LocalMasterKeyProvider.GenerateMasterKey();
        using var before = new LocalMasterKeyProvider(Options.Create(new LocalMasterKeyOptions { MasterKey = old }));
        var seal = new KeyStateAuthenticator(before).Seal(Key, Killed);
        var rotated = new LocalMasterKeyOptions { MasterKey = LocalMasterKeyProvider.GenerateMasterKey() };
        rotated.RetiredMasterKeys.Add(old);
        using var after = new LocalMasterKeyProvider(Options.Create(rotated));

        new KeyStateAuthenticator(after).IsAuthentic(Key, Killed, seal).Should().BeTrue();
    }
}
