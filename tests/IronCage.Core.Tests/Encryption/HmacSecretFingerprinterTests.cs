using IronCage.Testing;
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
