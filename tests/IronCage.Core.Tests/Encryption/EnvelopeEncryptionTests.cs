using System.Security.Cryptography;
using IronCage.Encryption;
using IronCage.Testing;
using Microsoft.Extensions.Options;

namespace IronCage.Core.Tests.Encryption;

public sealed class EnvelopeEncryptionTests
{
    private static readonly KeyReference Key = KeyReference.Parse("openai/prod");

    private static LocalMasterKeyProvider Kek(string masterKey, params string[] retired)
    {
        var options = new LocalMasterKeyOptions { MasterKey = masterKey };
        foreach (var old in retired)
        {
            options.RetiredMasterKeys.Add(old);
        }

        return new LocalMasterKeyProvider(Options.Create(options));
    }

    [Fact]
    public async Task SealOpen_RoundTrips()
    {
        using var kek = Kek(LocalMasterKeyProvider.GenerateMasterKey());
        var protector = new EnvelopeSecretProtector(kek);
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);
        var binding = new SecretBinding(Key, "kv_1");

        var sealedSecret = await protector.SealAsync(secret, binding);
        using var opened = await protector.OpenAsync(sealedSecret, binding);

        opened.Equals(secret).Should().BeTrue();
        sealedSecret.KeyEncryptionKeyId.Should().Be(kek.CurrentKeyId).And.StartWith("local-");
        sealedSecret.Nonce.Length.Should().Be(12);
        sealedSecret.Ciphertext.Length.Should().Be(secret.Length + 16);
        sealedSecret.FormatVersion.Should().Be(EncryptedSecret.CurrentFormatVersion);
    }

    [Fact]
    public async Task Seal_NeverStoresThePlaintextAndUsesAFreshDataKeyAndNonce()
    {
        using var kek = Kek(LocalMasterKeyProvider.GenerateMasterKey());
        var protector = new EnvelopeSecretProtector(kek);
        using var secret = FakeKeys.Generate(ProviderId.Anthropic);
        var plaintext = System.Text.Encoding.UTF8.GetBytes(secret.Reveal());

        var first = await protector.SealAsync(secret, new SecretBinding(Key, "kv_1"));
        var second = await protector.SealAsync(secret, new SecretBinding(Key, "kv_1"));

        foreach (var part in new[] { first.Ciphertext, first.WrappedDataKey, first.Nonce })
        {
            part.ToArray().AsSpan().IndexOf(plaintext.AsSpan(0, 16)).Should().Be(-1);
        }

        first.Ciphertext.ToArray().Should().NotEqual(second.Ciphertext.ToArray());
        first.WrappedDataKey.ToArray().Should().NotEqual(second.WrappedDataKey.ToArray());
        first.Nonce.ToArray().Should().NotEqual(second.Nonce.ToArray());
        first.ToString().Should().NotContain(secret.Reveal()[..20]);
    }

    [Fact]
    public async Task Open_TamperedCiphertext_Fails()
    {
        using var kek = Kek(LocalMasterKeyProvider.GenerateMasterKey());
        var protector = new EnvelopeSecretProtector(kek);
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);
        var binding = new SecretBinding(Key, "kv_1");
        var sealedSecret = await protector.SealAsync(secret, binding);

        foreach (var tampered in Tamperings(sealedSecret))
        {
            var act = async () => await protector.OpenAsync(tampered, binding);
            (await act.Should().ThrowAsync<SecretDecryptionException>()).Which.Message.Should().NotContain(secret.Reveal()[..20]);
        }
    }

    [Fact]
    public async Task Open_CiphertextMovedToAnotherKeyOrVersion_Fails()
    {
        using var kek = Kek(LocalMasterKeyProvider.GenerateMasterKey());
        var protector = new EnvelopeSecretProtector(kek);
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);
        var sealedSecret = await protector.SealAsync(secret, new SecretBinding(Key, "kv_1"));

        var otherVersion = async () => await protector.OpenAsync(sealedSecret, new SecretBinding(Key, "kv_2"));
        var otherKey = async () => await protector.OpenAsync(sealedSecret, new SecretBinding(KeyReference.Parse("openai/staging"), "kv_1"));
        var otherProvider = async () => await protector.OpenAsync(sealedSecret, new SecretBinding(KeyReference.Parse("groq/prod"), "kv_1"));

        await otherVersion.Should().ThrowAsync<SecretDecryptionException>().WithMessage("*another managed key or version*");
        await otherKey.Should().ThrowAsync<SecretDecryptionException>();
        await otherProvider.Should().ThrowAsync<SecretDecryptionException>();
    }

    [Fact]
    public void AssociatedData_IsUnambiguous()
    {
        // "a/bc" + "d" and "a/b" + "cd" must not encode alike.
        var one = new SecretBinding(KeyReference.Parse("openai/bc"), "d").ToAssociatedData();
        var two = new SecretBinding(KeyReference.Parse("openai/b"), "cd").ToAssociatedData();
        one.Should().NotEqual(two);
    }

    [Fact]
    public async Task Open_WithWrongMasterKey_FailsClearly()
    {
        using var right = Kek(LocalMasterKeyProvider.GenerateMasterKey());
        using var wrong = Kek(LocalMasterKeyProvider.GenerateMasterKey());
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);
        var binding = new SecretBinding(Key, "kv_1");
        var sealedSecret = await new EnvelopeSecretProtector(right).SealAsync(secret, binding);

        var act = async () => await new EnvelopeSecretProtector(wrong).OpenAsync(sealedSecret, binding);
        await act.Should().ThrowAsync<SecretDecryptionException>().WithMessage($"*'{right.CurrentKeyId}' is not configured*RetiredMasterKeys*");
    }

    [Fact]
    public async Task Open_WrappedKeyAlteredUnderTheSameKekId_Fails()
    {
        using var kek = Kek(LocalMasterKeyProvider.GenerateMasterKey());
        var protector = new EnvelopeSecretProtector(kek);
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);
        var binding = new SecretBinding(Key, "kv_1");
        var sealedSecret = await protector.SealAsync(secret, binding);
        var wrapped = sealedSecret.WrappedDataKey.ToArray();
        wrapped[20] ^= 0x01;

        var act = async () => await protector.OpenAsync(sealedSecret with { WrappedDataKey = wrapped }, binding);
        await act.Should().ThrowAsync<SecretDecryptionException>().WithMessage("*does not open with key-encryption key*");
    }

    [Fact]
    public async Task KekRotation_RewrapsWithoutReencryptingTheSecret()
    {
        var oldMaster = LocalMasterKeyProvider.GenerateMasterKey();
        var newMaster = LocalMasterKeyProvider.GenerateMasterKey();
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);
        var binding = new SecretBinding(Key, "kv_1");

        using var before = Kek(oldMaster);
        var sealedBefore = await new EnvelopeSecretProtector(before).SealAsync(secret, binding);

        using var after = Kek(newMaster, oldMaster);
        var protector = new EnvelopeSecretProtector(after);
        after.KeyIds.Should().HaveCount(2);
        using (var stillOpens = await protector.OpenAsync(sealedBefore, binding))
        {
            stillOpens.Equals(secret).Should().BeTrue();
        }

        var rewrapped = await protector.RewrapAsync(sealedBefore);

        rewrapped.KeyEncryptionKeyId.Should().Be(after.CurrentKeyId).And.NotBe(before.CurrentKeyId);
        rewrapped.Ciphertext.ToArray().Should().Equal(sealedBefore.Ciphertext.ToArray());
        rewrapped.Nonce.ToArray().Should().Equal(sealedBefore.Nonce.ToArray());
        rewrapped.WrappedDataKey.ToArray().Should().NotEqual(sealedBefore.WrappedDataKey.ToArray());
        (await protector.RewrapAsync(rewrapped)).Should().BeSameAs(rewrapped);

        using var newOnly = Kek(newMaster);
        using var opened = await new EnvelopeSecretProtector(newOnly).OpenAsync(rewrapped, binding);
        opened.Equals(secret).Should().BeTrue();
    }

    [Fact]
    public async Task SealOpen_ConcurrentUse_IsSafe()
    {
        using var kek = Kek(LocalMasterKeyProvider.GenerateMasterKey());
        var protector = new EnvelopeSecretProtector(kek);
        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
        {
            using var secret = FakeKeys.Generate(ProviderId.Groq);
            var binding = new SecretBinding(Key, "kv_" + i);
            for (var round = 0; round < 20; round++)
            {
                var sealedSecret = await protector.SealAsync(secret, binding);
                using var opened = await protector.OpenAsync(sealedSecret, binding);
                if (!opened.Equals(secret))
                {
                    return false;
                }
            }

            return true;
        })));

        results.Should().OnlyContain(ok => ok);
    }

    [Fact]
    public async Task Open_SecretSealedByTheDocumentedLayout_Opens()
    {
        // A known answer, built by hand from the format (not by the protector): what earlier versions stored must
        // keep opening however the protector is written.
        var master = RandomNumberGenerator.GetBytes(32);
        using var kek = Kek(Convert.ToBase64String(master));
        var binding = new SecretBinding(Key, "kv_0123456789abcdef");
        var plaintext = "sk-proj-known-answer-0123456789abcdefT3BlbkFJ"u8.ToArray();
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var nonce = RandomNumberGenerator.GetBytes(12);
        byte[] associatedData = [.. "IronCage.Secret.v1"u8, 0, 0, 0, 11, .. "openai/prod"u8, 0, 0, 0, 19, .. "kv_0123456789abcdef"u8];
        var ciphertext = new byte[plaintext.Length + 16];
        using (var aes = new AesGcm(dataKey, 16))
        {
            aes.Encrypt(nonce, plaintext, ciphertext.AsSpan(0, plaintext.Length), ciphertext.AsSpan(plaintext.Length), associatedData);
        }

        var wrapped = new byte[12 + 32 + 16];
        RandomNumberGenerator.Fill(wrapped.AsSpan(0, 12));
        using (var aes = new AesGcm(master, 16))
        {
            aes.Encrypt(wrapped.AsSpan(0, 12), dataKey, wrapped.AsSpan(12, 32), wrapped.AsSpan(44), [.. "IronCage.KEK.v1:"u8, .. System.Text.Encoding.UTF8.GetBytes(kek.CurrentKeyId)]);
        }

        binding.ToAssociatedData().Should().Equal(associatedData);
        var stored = new EncryptedSecret { KeyEncryptionKeyId = kek.CurrentKeyId, WrappedDataKey = wrapped, Nonce = nonce, Ciphertext = ciphertext };
        using var opened = await new EnvelopeSecretProtector(kek).OpenAsync(stored, binding);

        opened.Matches("sk-proj-known-answer-0123456789abcdefT3BlbkFJ").Should().BeTrue();
        opened.DisplayHint.Should().Be("sk-…bkFJ");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(511)]
    [InlineData(512)]
    [InlineData(513)]
    [InlineData(4096)]
    public async Task SealOpen_SecretsShortAndLong_RoundTrip(int length)
    {
        using var kek = Kek(LocalMasterKeyProvider.GenerateMasterKey());
        var protector = new EnvelopeSecretProtector(kek);
        var text = string.Concat(Enumerable.Range(0, length).Select(i => (char)('a' + (i % 26))));
        using var secret = SecretValue.FromString(text);
        var binding = new SecretBinding(KeyReference.Parse("openai/" + new string('n', 128)), "kv_" + new string('v', 400));

        using var opened = await protector.OpenAsync(await protector.SealAsync(secret, binding), binding);

        opened.Matches(text).Should().BeTrue();
        opened.DisplayHint.Should().Be(secret.DisplayHint);
    }

    [Fact]
    public void KekId_IsStableForTheSameMasterKey()
    {
        var master = LocalMasterKeyProvider.GenerateMasterKey();
        using var a = Kek(master);
        using var b = Kek(master);
        a.CurrentKeyId.Should().Be(b.CurrentKeyId).And.MatchRegex("^local-[0-9a-f]{16}$");
    }

    [Fact]
    public async Task Open_FutureFormatVersion_SaysToUpgrade()
    {
        using var kek = Kek(LocalMasterKeyProvider.GenerateMasterKey());
        var protector = new EnvelopeSecretProtector(kek);
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);
        var binding = new SecretBinding(Key, "kv_1");
        var sealedSecret = await protector.SealAsync(secret, binding);

        var act = async () => await protector.OpenAsync(sealedSecret with { FormatVersion = 2 }, binding);
        await act.Should().ThrowAsync<SecretDecryptionException>().WithMessage("*Upgrade IronCage*");
    }

    private static IEnumerable<EncryptedSecret> Tamperings(EncryptedSecret original)
    {
        var ciphertext = original.Ciphertext.ToArray();
        ciphertext[0] ^= 0x80;
        yield return original with { Ciphertext = ciphertext };

        var tag = original.Ciphertext.ToArray();
        tag[^1] ^= 0x01;
        yield return original with { Ciphertext = tag };

        var nonce = original.Nonce.ToArray();
        nonce[3] ^= 0x10;
        yield return original with { Nonce = nonce };

        yield return original with { Ciphertext = original.Ciphertext[..^1] };
        yield return original with { Ciphertext = original.Ciphertext[..10] };
        yield return original with { Nonce = original.Nonce[..8] };
    }
}
