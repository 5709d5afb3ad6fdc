using IronCage.Encryption;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IronCage.Core.Tests.Encryption;

public sealed class HmacSecretFingerprinterTests
{
    [Fact]
    public void Compute_IsStableForTheSameMasterKeyAndDiffersPerSecret()
    {
        var master = LocalMasterKeyProvider.GenerateMasterKey();
        using var kekA = new LocalMasterKeyProvider(Options.Create(new LocalMasterKeyOptions { MasterKey = master }));
        using var kekB = new LocalMasterKeyProvider(Options.Create(new LocalMasterKeyOptions { MasterKey = master }));
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);
        using var other = FakeKeys.Generate(ProviderId.OpenAI);

        var a = new HmacSecretFingerprinter(kekA).Compute(secret);
        var b = new HmacSecretFingerprinter(kekB).Compute(secret);

        a.Should().Be(b).And.StartWith("fp1." + kekA.CurrentKeyId + ".");
        new HmacSecretFingerprinter(kekA).Compute(other).Should().NotBe(a);
        a.Should().NotContain(secret.Reveal()[8..20]);
    }

    [Fact]
    public void Matches_WorksAcrossAMasterKeyRotation()
    {
        var oldMaster = LocalMasterKeyProvider.GenerateMasterKey();
        using var secret = FakeKeys.Generate(ProviderId.Anthropic);
        using var before = new LocalMasterKeyProvider(Options.Create(new LocalMasterKeyOptions { MasterKey = oldMaster }));
        var fingerprint = new HmacSecretFingerprinter(before).Compute(secret);

        var rotated = new LocalMasterKeyOptions { MasterKey = LocalMasterKeyProvider.GenerateMasterKey() };
        rotated.RetiredMasterKeys.Add(oldMaster);
        using var after = new LocalMasterKeyProvider(Options.Create(rotated));
        var fingerprinter = new HmacSecretFingerprinter(after);

        fingerprinter.Matches(secret, fingerprint).Should().BeTrue();
        fingerprinter.Compute(secret).Should().NotBe(fingerprint);
        using var other = FakeKeys.Generate(ProviderId.Anthropic);
        fingerprinter.Matches(other, fingerprint).Should().BeFalse();
        fingerprinter.Matches(secret, "fp1.local-ffffffffffffffff.abc").Should().BeFalse();
        fingerprinter.Matches(secret, "garbage").Should().BeFalse();
    }

    [Fact]
    public void ExplicitKey_MustBeLongEnough()
    {
        var act = () => new HmacSecretFingerprinter("k1", new byte[16]);
        act.Should().Throw<ArgumentException>();
    }
}

public sealed class FingerprintKeyOptionTests
{
    private static ISecretFingerprinter Fingerprinter(string masterKey, string? fingerprintKey)
    {
        var services = new ServiceCollection();
        services.AddIronCage().ProtectKeysWithMasterKey(o =>
        {
            o.MasterKey = masterKey;
            o.FingerprintKey = fingerprintKey;
        });
        return services.BuildServiceProvider().GetRequiredService<ISecretFingerprinter>();
    }

    [Fact]
    public void FingerprintKey_KeepsFingerprintsAcrossAMasterKeyRotation()
    {
        var fingerprintKey = LocalMasterKeyProvider.GenerateMasterKey();
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);

        var before = Fingerprinter(LocalMasterKeyProvider.GenerateMasterKey(), fingerprintKey).Compute(secret);
        var after = Fingerprinter(LocalMasterKeyProvider.GenerateMasterKey(), fingerprintKey);

        after.Compute(secret).Should().Be(before).And.StartWith("fp1.fpk-");
        after.Matches(secret, before).Should().BeTrue();
    }

    [Theory]
    [InlineData("not base64!", "*not valid base64*")]
    [InlineData("c2hvcnQ=", "*5 bytes*")]
    public async Task FingerprintKey_Invalid_StopsStartUp(string fingerprintKey, string message)
    {
        using var host = Host.CreateDefaultBuilder()
            .ConfigureServices(s => s.AddIronCage().ProtectKeysWithMasterKey(o =>
            {
                o.MasterKey = LocalMasterKeyProvider.GenerateMasterKey();
                o.FingerprintKey = fingerprintKey;
            }))
            .Build();

        var act = async () => await host.StartAsync();
        await act.Should().ThrowAsync<OptionsValidationException>().WithMessage(message);
    }
}
