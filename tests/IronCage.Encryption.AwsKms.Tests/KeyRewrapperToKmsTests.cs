using IronCage.Auditing;
using IronCage.Rotation;
using IronCage.Storage;
using IronCage.Testing;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Encryption.AwsKms.Tests;

/// <summary>Moving a store from the local master key to KMS with IronCage.Rotation's <see cref="KeyRewrapper"/>.</summary>
public sealed class KeyRewrapperToKmsTests
{
    [Fact]
    public async Task Rewrap_StoreUnderLocalMasterKey_MovesEveryVersionToKmsAndStillOpens()
    {
        await using var kms = await KmsEmulator.StartAsync();
        var arn = kms.CreateKey("alias/ironcage");
        var masterKey = LocalMasterKeyProvider.GenerateMasterKey();
        var store = new InMemoryKeyStore();
        var secrets = new Dictionary<KeyReference, SecretValue>();
        string localId;
        using (var local = new LocalMasterKeyProvider(Options.Create(new LocalMasterKeyOptions { MasterKey = masterKey })))
        {
            localId = local.CurrentKeyId;
            var sealer = new EnvelopeSecretProtector(local);
            foreach (var name in new[] { "prod", "staging" })
            {
                var reference = new KeyReference(ProviderId.OpenAI, name);
                var secret = FakeKeys.Generate(ProviderId.OpenAI);
                secrets[reference] = secret;
                await store.CreateAsync(new ManagedKey
                {
                    Reference = reference,
                    Versions =
                    [
                        new KeyVersion
                        {
                            VersionId = "kv_1",
                            Stage = KeyStage.Current,
                            CreatedAt = Instant.FromUtc(2026, 11, 1, 9, 0),
                            DisplayHint = secret.DisplayHint,
                            Fingerprint = "fp-" + name,
                            Secret = await sealer.SealAsync(secret, new SecretBinding(reference, "kv_1")),
                        },
                    ],
                });
            }
        }

        var options = KmsTestSupport.Options(kms, "alias/ironcage");
        options.RetiredMasterKeys.Add(masterKey);
        using var kek = KmsTestSupport.Provider(options);
        var protector = new EnvelopeSecretProtector(kek);
        var fingerprinter = new HmacSecretFingerprinter("kms-test", System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var rewrapper = new KeyRewrapper(store, new InMemoryRotationStore(), protector, kek, fingerprinter, new InMemoryAuditLog(), new FakeClock(Instant.FromUtc(2026, 12, 1, 9, 0)), NullLogger<KeyRewrapper>.Instance);

        var result = await rewrapper.RewrapAsync();

        result.CurrentKeyId.Should().Be(kek.CurrentKeyId);
        result.Versions.Should().Be(2);
        result.PreviousKeyIds.Should().Equal(localId);
        (await rewrapper.GetStatusAsync()).Should().NotBeNull();
        using var kmsOnly = KmsTestSupport.Provider(KmsTestSupport.Options(kms, "alias/ironcage"));
        foreach (var (reference, secret) in secrets)
        {
            var version = (await store.GetAsync(reference)).Versions.Single();
            version.Secret.KeyEncryptionKeyId.Should().Be("aws-kms:us-east-1:alias/ironcage");
            using var opened = await new EnvelopeSecretProtector(kmsOnly).OpenAsync(version.Secret, new SecretBinding(reference, "kv_1"));
            opened.Reveal().Should().Be(secret.Reveal(), "the store opens without the local master key once re-wrapped");
            fingerprinter.Matches(opened, version.Fingerprint).Should().BeTrue("the re-wrap renewed the fingerprint");
            secret.Dispose();
        }

        arn.Should().NotBeNullOrEmpty();
    }
}
