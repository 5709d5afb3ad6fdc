using IronCage.Encryption;
using IronCage.Storage;
using IronCage.Testing;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Core.Tests.Encryption;

/// <summary>The probe behind the rotation start-up check and the master-key health check.</summary>
public sealed class StoredSecretProbeTests
{
    private static LocalMasterKeyProvider Kek(string masterKey) => new(Options.Create(new LocalMasterKeyOptions { MasterKey = masterKey }));

    private static async Task<(InMemoryKeyStore Store, SecretValue Secret)> StoreAsync(EnvelopeSecretProtector protector, KeyStage stage, string name = "prod")
    {
        var store = new InMemoryKeyStore();
        var reference = new KeyReference(ProviderId.OpenAI, name);
        var secret = FakeKeys.Generate(ProviderId.OpenAI);
        var version = new KeyVersion
        {
            VersionId = "kv_1",
            Stage = stage,
            CreatedAt = Instant.FromUtc(2026, 11, 1, 9, 0),
            DisplayHint = secret.DisplayHint,
            Fingerprint = "fp",
            Secret = await protector.SealAsync(secret, new SecretBinding(reference, "kv_1")),
        };
        await store.CreateAsync(new ManagedKey { Reference = reference, Versions = [version] });
        return (store, secret);
    }

    [Fact]
    public async Task OpenFirstAsync_EmptyStore_ReturnsNothing()
    {
        using var kek = Kek(LocalMasterKeyProvider.GenerateMasterKey());

        var result = await StoredSecretProbe.OpenFirstAsync(new InMemoryKeyStore(), new EnvelopeSecretProtector(kek));

        result.Opened.Should().BeFalse();
        result.Should().BeSameAs(StoredSecretProbeResult.Nothing);
    }

    [Fact]
    public async Task OpenFirstAsync_OnlyAPendingVersion_ReturnsNothing()
    {
        using var kek = Kek(LocalMasterKeyProvider.GenerateMasterKey());
        var protector = new EnvelopeSecretProtector(kek);
        var (store, secret) = await StoreAsync(protector, KeyStage.Pending);
        using (secret)
        {
            (await StoredSecretProbe.OpenFirstAsync(store, protector)).Opened.Should().BeFalse("only a servable version proves the key serves");
        }
    }

    [Fact]
    public async Task OpenFirstAsync_RightMasterKey_NamesTheVersionOpened()
    {
        using var kek = Kek(LocalMasterKeyProvider.GenerateMasterKey());
        var protector = new EnvelopeSecretProtector(kek);
        var (store, secret) = await StoreAsync(protector, KeyStage.Current);
        using (secret)
        {
            var result = await StoredSecretProbe.OpenFirstAsync(store, protector);

            result.Opened.Should().BeTrue();
            result.Key.Should().Be(new KeyReference(ProviderId.OpenAI, "prod"));
            result.VersionId.Should().Be("kv_1");
            result.DisplayHint.Should().Be(secret.DisplayHint);
            result.KeyEncryptionKeyId.Should().Be(kek.CurrentKeyId);
        }
    }

    [Fact]
    public async Task OpenFirstAsync_WrongMasterKey_ThrowsNamingVersionAndFixWithoutTheSecret()
    {
        using var sealer = Kek(LocalMasterKeyProvider.GenerateMasterKey());
        using var other = Kek(LocalMasterKeyProvider.GenerateMasterKey());
        var (store, secret) = await StoreAsync(new EnvelopeSecretProtector(sealer), KeyStage.Current);
        using (secret)
        {
            var act = () => StoredSecretProbe.OpenFirstAsync(store, new EnvelopeSecretProtector(other)).AsTask();

            var thrown = (await act.Should().ThrowAsync<StoredSecretProbeException>()).Which;
            thrown.Probed.VersionId.Should().Be("kv_1");
            thrown.InnerException.Should().BeOfType<SecretDecryptionException>();
            thrown.Message.Should().Contain("kv_1").And.Contain("openai/prod").And.Contain("RetiredMasterKeys");
            thrown.Message.Should().NotContain(secret.Reveal());
        }
    }
}
