using IronCage.Encryption;
using IronCage.Providers;
using NodaTime;

namespace IronCage.Core.Tests.Model;

public sealed class ManagedKeyTests
{
    private static readonly Instant Created = Instant.FromUtc(2026, 2, 1, 8, 0);
    private static readonly KeyReference Prod = KeyReference.Parse("openai/prod");

    [Fact]
    public void Validate_OneCurrentOnePendingAndPrevious_Passes()
    {
        var key = Key(Version("kv_1", KeyStage.Revoked), Version("kv_2", KeyStage.Previous), Version("kv_3", KeyStage.Current), Version("kv_4", KeyStage.Pending));

        key.Invoking(k => k.Validate()).Should().NotThrow();
    }

    [Fact]
    public void Validate_NoVersions_Passes()
    {
        Key().Invoking(k => k.Validate()).Should().NotThrow();
    }

    [Fact]
    public void Validate_TwoCurrentVersions_Throws()
    {
        var key = Key(Version("kv_1", KeyStage.Current), Version("kv_2", KeyStage.Current));

        key.Invoking(k => k.Validate()).Should().Throw<IronCageException>().WithMessage("*openai/prod*2 Current*");
    }

    [Fact]
    public void Validate_TwoPendingVersions_Throws()
    {
        var key = Key(Version("kv_1", KeyStage.Current), Version("kv_2", KeyStage.Pending), Version("kv_3", KeyStage.Pending));

        key.Invoking(k => k.Validate()).Should().Throw<IronCageException>().WithMessage("*2 Pending*");
    }

    [Fact]
    public void Validate_RepeatedVersionId_Throws()
    {
        var key = Key(Version("kv_1", KeyStage.Previous), Version("kv_1", KeyStage.Current));

        key.Invoking(k => k.Validate()).Should().Throw<IronCageException>().WithMessage("*repeated version id 'kv_1'*");
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void Validate_BlankVersionId_Throws(string versionId)
    {
        var key = Key(Version(versionId, KeyStage.Current));

        key.Invoking(k => k.Validate()).Should().Throw<IronCageException>();
    }

    [Fact]
    public void Validate_VersionIdsDifferingOnlyInCase_AreDistinct()
    {
        var key = Key(Version("kv_a", KeyStage.Previous), Version("kv_A", KeyStage.Current));

        key.Invoking(k => k.Validate()).Should().NotThrow();
    }

    [Fact]
    public void Validate_DefaultReference_Throws()
    {
        var key = new ManagedKey { Reference = default };

        key.Invoking(k => k.Validate()).Should().Throw<IronCageException>().WithMessage("*reference*");
    }

    [Fact]
    public void Validate_InvalidPolicy_Throws()
    {
        var key = Key() with { Policy = new RotationPolicy { GracePeriod = Duration.FromDays(31) } };

        key.Invoking(k => k.Validate()).Should().Throw<RotationPolicyException>();
    }

    [Fact]
    public void Validate_InvalidLimits_Throws()
    {
        var key = Key() with { Limits = new UsageLimits { AlertThresholds = [2m] } };

        key.Invoking(k => k.Validate()).Should().Throw<IronCageException>();
    }

    [Fact]
    public void WithVersion_NewId_AppendsAndLeavesOriginalUnchanged()
    {
        var original = Key(Version("kv_1", KeyStage.Current));
        var pending = Version("kv_2", KeyStage.Pending);

        var updated = original.WithVersion(pending);

        updated.Versions.Select(v => v.VersionId).Should().Equal("kv_1", "kv_2");
        updated.Versions[1].Should().BeSameAs(pending);
        original.Versions.Should().ContainSingle();
        updated.Reference.Should().Be(original.Reference);
    }

    [Fact]
    public void WithVersion_ExistingId_ReplacesInPlace()
    {
        var original = Key(Version("kv_1", KeyStage.Previous), Version("kv_2", KeyStage.Current), Version("kv_3", KeyStage.Pending));
        var promoted = original.Versions[2] with { Stage = KeyStage.Current, ActivatedAt = Created + Duration.FromHours(1) };
        var demoted = original.Versions[1] with { Stage = KeyStage.Previous };

        var updated = original.WithVersion(promoted).WithVersion(demoted);

        updated.Versions.Select(v => (v.VersionId, v.Stage)).Should().Equal(
            ("kv_1", KeyStage.Previous), ("kv_2", KeyStage.Previous), ("kv_3", KeyStage.Current));
        updated.CurrentVersion.Should().BeSameAs(promoted);
        updated.PendingVersion.Should().BeNull();
        original.CurrentVersion!.VersionId.Should().Be("kv_2");
        updated.Invoking(k => k.Validate()).Should().NotThrow();
    }

    [Fact]
    public void WithVersion_Null_Throws()
    {
        Key().Invoking(k => k.WithVersion(null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void CurrentAndPendingVersion_PickByStage()
    {
        var key = Key(Version("kv_1", KeyStage.Revoked), Version("kv_2", KeyStage.Current), Version("kv_3", KeyStage.Pending));

        key.CurrentVersion!.VersionId.Should().Be("kv_2");
        key.PendingVersion!.VersionId.Should().Be("kv_3");
    }

    [Fact]
    public void CurrentAndPendingVersion_NoneInThatStage_AreNull()
    {
        var key = Key(Version("kv_1", KeyStage.Previous), Version("kv_2", KeyStage.Revoked));

        key.CurrentVersion.Should().BeNull();
        key.PendingVersion.Should().BeNull();
    }

    [Fact]
    public void FindVersion_ById_ReturnsItOrNull()
    {
        var key = Key(Version("kv_1", KeyStage.Previous), Version("kv_2", KeyStage.Current));

        key.FindVersion("kv_1")!.Stage.Should().Be(KeyStage.Previous);
        key.FindVersion("kv_3").Should().BeNull();
        key.FindVersion("KV_1").Should().BeNull("version ids are compared ordinally");
    }

    [Fact]
    public void ProviderAndName_ComeFromReference()
    {
        var key = Key();

        key.Provider.Should().Be(ProviderId.OpenAI);
        key.Name.Should().Be("prod");
        key.Kind.Should().Be(KeyKind.Inference);
        key.Policy.Should().BeSameAs(RotationPolicy.Default);
        key.Limits.Should().BeSameAs(UsageLimits.None);
    }

    [Fact]
    public void ToString_WithVersions_NamesReferenceWithoutSecretMaterial()
    {
        var key = Key(Version("kv_1", KeyStage.Current));

        key.ToString().Should().Contain("openai/prod").And.Contain("1 version").And.NotContain("kek-test");
    }

    [Fact]
    public void NewVersionId_TwoCalls_AreUniqueAndPrefixed()
    {
        var first = KeyVersion.NewVersionId();
        var second = KeyVersion.NewVersionId();

        first.Should().MatchRegex("^kv_[0-9a-f]{32}$");
        second.Should().NotBe(first);
    }

    private static ManagedKey Key(params KeyVersion[] versions) => new() { Reference = Prod, CreatedAt = Created, Versions = versions };

    private static KeyVersion Version(string id, KeyStage stage) => new()
    {
        VersionId = id,
        Stage = stage,
        CreatedAt = Created,
        DisplayHint = "sk-...wxyz",
        Fingerprint = "fp_" + id,
        Secret = new EncryptedSecret
        {
            KeyEncryptionKeyId = "kek-test",
            WrappedDataKey = new byte[40],
            Nonce = new byte[12],
            Ciphertext = new byte[48],
        },
    };
}
