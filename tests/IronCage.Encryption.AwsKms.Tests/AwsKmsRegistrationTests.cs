using IronCage.Testing.Emulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IronCage.Encryption.AwsKms.Tests;

/// <summary><c>ProtectKeysWithAwsKms</c>: the KMS provider replaces the local master key, and bad settings stop start-up.</summary>
public sealed class AwsKmsRegistrationTests
{
    [Fact]
    public async Task ProtectKeysWithAwsKms_ReplacesTheLocalMasterKeyAndChecksTheKeyOnStart()
    {
        await using var kms = await KmsEmulator.StartAsync();
        kms.CreateKey("alias/ironcage");
        using var host = Host(o => Copy(KmsTestSupport.Options(kms, "alias/ironcage"), o));

        await host.StartAsync();

        host.Services.GetRequiredService<IKeyEncryptionKeyProvider>().Should().BeOfType<AwsKmsKeyEncryptionKeyProvider>()
            .Which.CurrentKeyId.Should().Be("aws-kms:us-east-1:alias/ironcage");
        kms.Operations.Should().StartWith(["DescribeKey", "GenerateDataKey", "Decrypt"]);
        await host.StopAsync();
    }

    [Fact]
    public async Task ProtectKeysWithAwsKms_DisabledKey_StopsStartUp()
    {
        await using var kms = await KmsEmulator.StartAsync();
        var arn = kms.CreateKey();
        kms.DisableKey(arn);
        using var host = Host(o => Copy(KmsTestSupport.Options(kms, arn), o));

        var act = () => host.StartAsync();

        (await act.Should().ThrowAsync<AwsKmsException>()).Which.Message.Should().Contain("enable-key");
    }

    [Theory]
    [InlineData("", "us-east-1", "KeyId is required")]
    [InlineData("alias/ironcage", "", "Region")]
    [InlineData("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "us-east-1", "is in region eu-west-1")]
    [InlineData("alias/aws/secretsmanager", "us-east-1", "AWS managed key")]
    [InlineData("my key", "us-east-1", "is not a KMS key ARN")]
    public async Task ProtectKeysWithAwsKms_InvalidOptions_FailStartUpWithTheFix(string keyId, string region, string expected)
    {
        using var host = Host(o =>
        {
            o.KeyId = keyId;
            o.Region = region;
        });

        var act = () => host.StartAsync();

        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain(expected);
    }

    private static IHost Host(Action<AwsKmsOptions> configure)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddIronCage()
            .ProtectKeysWithAwsKms(configure);
        builder.Services.Configure<LocalMasterKeyOptions>(o => o.FingerprintKey = Convert.ToBase64String(new byte[32].Select((_, i) => (byte)(i + 1)).ToArray()));
        return builder.Build();
    }

    private static void Copy(AwsKmsOptions from, AwsKmsOptions to)
    {
        to.KeyId = from.KeyId;
        to.Region = from.Region;
        to.ServiceUrl = from.ServiceUrl;
        to.Credentials = from.Credentials;
    }
}
