using System.Net;
using System.Net.Sockets;
using IronCage.Testing;
using IronCage.Testing.Emulator;

namespace IronCage.Encryption.AwsKms.Tests;

/// <summary>Sealing and opening secrets through KMS (the emulator: real Kestrel, SigV4, AES-GCM blobs bound to the encryption context).</summary>
public sealed class AwsKmsKeyEncryptionKeyProviderTests : IAsyncLifetime
{
    private static readonly KeyReference Key = new(ProviderId.OpenAI, "prod");
    private KmsEmulator _kms = null!;
    private string _keyArn = null!;

    public async Task InitializeAsync()
    {
        _kms = await KmsEmulator.StartAsync();
        _keyArn = _kms.CreateKey("alias/ironcage");
    }

    public async Task DisposeAsync() => await _kms.DisposeAsync();

    [Fact]
    public async Task SealAndOpen_ThroughKms_RoundTripsAndRecordsTheKekId()
    {
        using var kek = KmsTestSupport.Provider(KmsTestSupport.Options(_kms, "alias/ironcage"));
        var protector = new EnvelopeSecretProtector(kek);
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);

        var sealedSecret = await protector.SealAsync(secret, new SecretBinding(Key, "kv_1"));
        using var opened = await protector.OpenAsync(sealedSecret, new SecretBinding(Key, "kv_1"));

        opened.Reveal().Should().Be(secret.Reveal());
        sealedSecret.KeyEncryptionKeyId.Should().Be("aws-kms:us-east-1:alias/ironcage").And.Be(kek.CurrentKeyId);
        _kms.Operations.Should().Equal("Encrypt", "Decrypt");
    }

    [Fact]
    public async Task Open_WithANewProviderInstance_StillOpens()
    {
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);
        EncryptedSecret sealedSecret;
        using (var first = KmsTestSupport.Provider(KmsTestSupport.Options(_kms, _keyArn)))
        {
            sealedSecret = await new EnvelopeSecretProtector(first).SealAsync(secret, new SecretBinding(Key, "kv_1"));
        }

        using var restarted = KmsTestSupport.Provider(KmsTestSupport.Options(_kms, _keyArn));
        using var opened = await new EnvelopeSecretProtector(restarted).OpenAsync(sealedSecret, new SecretBinding(Key, "kv_1"));

        opened.Reveal().Should().Be(secret.Reveal());
        restarted.CurrentKeyId.Should().Be("aws-kms:" + _keyArn);
    }

    [Fact]
    public async Task Unwrap_AnotherStoreId_FailsAsInvalidCiphertext()
    {
        using var sealing = KmsTestSupport.Provider(KmsTestSupport.Options(_kms, _keyArn));
        var wrapped = await sealing.WrapKeyAsync(new byte[32]);
        var other = KmsTestSupport.Options(_kms, _keyArn);
        other.StoreId = "another-store";
        using var opening = KmsTestSupport.Provider(other);

        var act = async () => await opening.UnwrapKeyAsync(wrapped);

        var error = (await act.Should().ThrowAsync<SecretDecryptionException>()).Which;
        error.Message.Should().Contain("encryption context").And.Contain("another-store");
        error.InnerException.Should().BeOfType<AwsKmsException>().Which.ErrorCode.Should().Be("InvalidCiphertextException");
    }

    [Fact]
    public async Task Unwrap_AlteredBlob_FailsAsInvalidCiphertext()
    {
        using var kek = KmsTestSupport.Provider(KmsTestSupport.Options(_kms, _keyArn));
        var wrapped = await kek.WrapKeyAsync(new byte[32]);
        var altered = wrapped.Ciphertext.ToArray();
        altered[^1] ^= 1;

        var act = async () => await kek.UnwrapKeyAsync(wrapped with { Ciphertext = altered });

        (await act.Should().ThrowAsync<SecretDecryptionException>()).Which.InnerException.Should().BeOfType<AwsKmsException>()
            .Which.IsTransient.Should().BeFalse();
    }

    [Fact]
    public async Task Open_DisabledKey_FailsAtOnceWithTheFixAndNoRetries()
    {
        var options = KmsTestSupport.Options(_kms, _keyArn);
        options.MaxRetries = 3;
        using var kek = KmsTestSupport.Provider(options);
        var protector = new EnvelopeSecretProtector(kek);
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);
        var sealedSecret = await protector.SealAsync(secret, new SecretBinding(Key, "kv_1"));
        _kms.DisableKey(_keyArn);

        var open = async () => await protector.OpenAsync(sealedSecret, new SecretBinding(Key, "kv_1"));
        var seal = async () => await protector.SealAsync(secret, new SecretBinding(Key, "kv_2"));

        var error = (await open.Should().ThrowAsync<SecretDecryptionException>()).Which;
        error.Message.Should().Contain("disabled").And.Contain("enable-key");
        error.InnerException.Should().BeOfType<AwsKmsException>().Which.ErrorCode.Should().Be("DisabledException");
        (await seal.Should().ThrowAsync<AwsKmsException>()).Which.IsTransient.Should().BeFalse();
        _kms.Operations.Should().Equal(["Encrypt", "Decrypt", "Encrypt"], "the SDK's retries must not repeat (and hide) a disabled key");
    }

    [Fact]
    public async Task Wrap_AccessDenied_SaysWhichPermissionToGrant()
    {
        using var kek = KmsTestSupport.Provider(KmsTestSupport.Options(_kms, _keyArn));
        _kms.DenyAccess = true;

        var act = async () => await kek.WrapKeyAsync(new byte[32]);

        var error = (await act.Should().ThrowAsync<AwsKmsException>()).Which;
        error.ErrorCode.Should().Be("AccessDeniedException");
        error.Message.Should().Contain("kms:Encrypt").And.Contain("key policy");
    }

    [Fact]
    public async Task Wrap_KmsFailingInternally_RetriesThenReportsTransient()
    {
        var options = KmsTestSupport.Options(_kms, _keyArn);
        options.MaxRetries = 1;
        using var kek = KmsTestSupport.Provider(options);
        _kms.FailNext(500, times: 2);

        var act = async () => await kek.WrapKeyAsync(new byte[32]);

        var error = (await act.Should().ThrowAsync<AwsKmsException>()).Which;
        error.ErrorCode.Should().Be("KMSInternalException");
        error.IsTransient.Should().BeTrue();
        _kms.Requests.Should().HaveCount(2, "one call and one SDK retry");
    }

    [Fact]
    public async Task Unwrap_UnreachableEndpoint_FailsAsTransient()
    {
        using var kek = KmsTestSupport.Provider(KmsTestSupport.Options(_kms, _keyArn));
        var wrapped = await kek.WrapKeyAsync(new byte[32]);
        var options = KmsTestSupport.Options(_kms, _keyArn);
        options.ServiceUrl = new Uri($"http://127.0.0.1:{ClosedPort()}/");
        options.MaxRetries = 0;
        using var unreachable = KmsTestSupport.Provider(options);

        var act = async () => await unreachable.UnwrapKeyAsync(wrapped);

        var error = (await act.Should().ThrowAsync<SecretDecryptionException>()).Which;
        error.Message.Should().Contain("could not be reached").And.Contain("ServiceUrl");
        error.InnerException.Should().BeOfType<AwsKmsException>().Which.IsTransient.Should().BeTrue();
    }

    [Fact]
    public async Task Unwrap_UnconfiguredKek_ListsTheConfiguredOnes()
    {
        using var kek = KmsTestSupport.Provider(KmsTestSupport.Options(_kms, _keyArn));

        var act = async () => await kek.UnwrapKeyAsync(new WrappedKey("local-0123456789abcdef", new byte[60]));

        (await act.Should().ThrowAsync<SecretDecryptionException>()).Which.Message.Should().Contain("RetiredMasterKeys").And.Contain(kek.CurrentKeyId);
        _kms.Operations.Should().BeEmpty();
    }

    [Fact]
    public async Task Unwrap_RetiredKmsKey_OpensWhatItWrapped()
    {
        using var old = KmsTestSupport.Provider(KmsTestSupport.Options(_kms, _keyArn));
        var dataKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
        var wrapped = await old.WrapKeyAsync(dataKey);
        var newArn = _kms.CreateKey();
        var options = KmsTestSupport.Options(_kms, newArn);
        options.RetiredKeyIds.Add(_keyArn);
        using var current = KmsTestSupport.Provider(options);

        var unwrapped = await current.UnwrapKeyAsync(wrapped);
        var rewrapped = await current.WrapKeyAsync(unwrapped);

        unwrapped.Should().Equal(dataKey);
        rewrapped.KeyEncryptionKeyId.Should().Be("aws-kms:" + newArn).And.NotBe(wrapped.KeyEncryptionKeyId);
        current.KeyIds.Should().BeEquivalentTo(["aws-kms:" + newArn, "aws-kms:" + _keyArn]);
    }

    [Fact]
    public async Task CheckKey_UsableKey_DescribesAndRoundTripsADataKey()
    {
        var logs = new RecordingLogs();
        using var kek = KmsTestSupport.Provider(KmsTestSupport.Options(_kms, "alias/ironcage"), logs);

        await kek.CheckKeyAsync();

        _kms.Operations.Should().Equal("DescribeKey", "GenerateDataKey", "Decrypt");
        logs.Lines.Should().ContainSingle(l => l.Contains("[7500]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CheckKey_DisabledOrUnknownKey_StopsWithTheFix()
    {
        _kms.DisableKey(_keyArn);
        using var disabled = KmsTestSupport.Provider(KmsTestSupport.Options(_kms, _keyArn));
        using var unknown = KmsTestSupport.Provider(KmsTestSupport.Options(_kms, "alias/missing"));

        (await disabled.Invoking(k => k.CheckKeyAsync()).Should().ThrowAsync<AwsKmsException>()).Which.Message.Should().Contain("Disabled").And.Contain("enable-key");
        (await unknown.Invoking(k => k.CheckKeyAsync()).Should().ThrowAsync<AwsKmsException>()).Which.ErrorCode.Should().Be("NotFoundException");
    }

    [Fact]
    public async Task Failures_NeverLogOrThrowKeyMaterial()
    {
        var logs = new RecordingLogs();
        var options = KmsTestSupport.Options(_kms, _keyArn);
        var dataKey = Enumerable.Range(100, 32).Select(i => (byte)i).ToArray();
        using var kek = KmsTestSupport.Provider(options, logs);
        var wrapped = await kek.WrapKeyAsync(dataKey);
        var errors = new List<Exception>();
        _kms.DisableKey(_keyArn);
        errors.Add(await Catch(() => kek.UnwrapKeyAsync(wrapped).AsTask()));
        errors.Add(await Catch(() => kek.WrapKeyAsync(dataKey).AsTask()));
        _kms.EnableKey(_keyArn);
        _kms.DenyAccess = true;
        errors.Add(await Catch(() => kek.UnwrapKeyAsync(wrapped).AsTask()));

        var forbidden = new[] { Convert.ToBase64String(dataKey), Convert.ToHexString(dataKey), Convert.ToBase64String(wrapped.Ciphertext.Span), options.Credentials!.GetCredentials().SecretKey };
        var texts = logs.Lines.Concat(errors.Select(e => e.ToString())).ToList();
        logs.Lines.Should().NotBeEmpty();
        foreach (var text in forbidden)
        {
            texts.Where(t => t.Contains(text, StringComparison.OrdinalIgnoreCase)).Should().BeEmpty();
        }
    }

    private static async Task<Exception> Catch(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex)
        {
            return ex;
        }

        throw new InvalidOperationException("The call was expected to fail.");
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
