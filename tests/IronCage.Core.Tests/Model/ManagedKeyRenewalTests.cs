using IronCage.Encryption;
using NodaTime;

namespace IronCage.Core.Tests.Model;

/// <summary>
/// Keys renewed before they expire (<see cref="RotationPolicy.RenewBeforeExpiry"/>, generated keys such as Amazon
/// Bedrock short-term API keys): when they are due, and when an expiry warning is owed.
/// </summary>
public sealed class ManagedKeyRenewalTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 1, 9, 0);
    private static readonly Duration Lead = Duration.FromDays(14);
    private static readonly RotationPolicy Renewing = new() { RenewBeforeExpiry = Duration.FromHours(1) };

    [Fact]
    public void RenewalDue_TwelveHourKey_IsOneHourBeforeItExpires()
        => Renewing.RenewalDue(T0, T0 + Duration.FromHours(12)).Should().Be(T0 + Duration.FromHours(11));

    [Fact]
    public void RenewalDue_KeyShorterThanTwiceTheLead_IsHalfwayThroughItsLife()
        => Renewing.RenewalDue(T0, T0 + Duration.FromMinutes(90)).Should().Be(T0 + Duration.FromMinutes(45), "a short-lived key is not renewed on every scheduler pass");

    [Fact]
    public void RenewalDue_NoLeadOrNoExpiry_IsNone()
    {
        RotationPolicy.Default.RenewalDue(T0, T0 + Duration.FromHours(12)).Should().BeNull();
        Renewing.RenewalDue(T0, null).Should().BeNull();
    }

    [Fact]
    public void Compute_RenewingKey_IsDueAtItsRenewal_AndTheStoredRuleIsTheSchedulersRule()
    {
        var key = Key(Renewing, Current("kv_1", T0, T0 + Duration.FromHours(12)));

        ManagedKeyDue.RotationDueAt(key).Should().Be(T0 + Duration.FromHours(11));
        ManagedKeyDue.Compute(key, Lead).Should().Be(T0 + Duration.FromHours(11), "the 14-day expiry lead does not warn a key that is renewed as a matter of course");
    }

    [Fact]
    public void RotationDueAt_ScheduleAndRenewal_IsTheEarlier()
    {
        var key = Key(Renewing with { Schedule = RotationSchedule.Parse("PT6H") }, Current("kv_1", T0, T0 + Duration.FromHours(12)));

        ManagedKeyDue.RotationDueAt(key).Should().Be(T0 + Duration.FromHours(6));
    }

    [Fact]
    public void ExpiringVersions_RenewingKey_WarnsOnlyWhenTheCurrentVersionOutlivedHalfItsRenewalWindow()
    {
        var expires = T0 + Duration.FromHours(12);
        var key = Key(Renewing, Current("kv_2", T0, expires), Previous("kv_1", T0 + Duration.FromMinutes(10)));

        ManagedKeyDue.ExpiringVersions(key, T0 + Duration.FromHours(11), Lead).Should().BeEmpty("at the planned renewal nothing has failed yet, and the replaced kv_1 expires as planned");
        ManagedKeyDue.ExpiringVersions(key, expires - Duration.FromMinutes(30), Lead).Select(v => v.VersionId).Should().Equal("kv_2");
        ManagedKeyDue.Compute(key with { Versions = [Current("kv_2", T0, expires) with { ExpiryWarnedAt = expires - Duration.FromMinutes(30) }] }, Lead)
            .Should().Be(T0 + Duration.FromHours(11), "once warned, only the renewal remains");
    }

    [Fact]
    public void ExpiringVersions_RenewingKeyWithAShortLead_WarnsAtTheLead()
    {
        var expires = T0 + Duration.FromHours(12);
        var key = Key(Renewing with { ExpiryWarningLead = Duration.FromMinutes(10) }, Current("kv_1", T0, expires));

        ManagedKeyDue.ExpiringVersions(key, expires - Duration.FromMinutes(30), Lead).Should().BeEmpty();
        ManagedKeyDue.ExpiringVersions(key, expires - Duration.FromMinutes(10), Lead).Should().ContainSingle();
    }

    [Fact]
    public void ExpiringSoonFrom_IsTheRuleOfWarningsAndHealth_ForPlainAndRenewingKeys()
    {
        var expires = T0 + Duration.FromHours(12);
        var plain = Key(RotationPolicy.Default, Current("kv_1", T0, expires));
        var renewing = Key(Renewing, Current("kv_2", T0, expires), Previous("kv_1", T0 + Duration.FromMinutes(10)));

        ManagedKeyDue.ExpiringSoonFrom(plain, plain.CurrentVersion!, Lead).Should().Be(expires - Lead, "a key that is not renewed counts from its warning lead");
        ManagedKeyDue.ExpiringSoonFrom(renewing, renewing.CurrentVersion!, Lead).Should().Be(expires - Duration.FromMinutes(30));
        ManagedKeyDue.ExpiringSoonFrom(renewing, renewing.FindVersion("kv_1")!, Lead).Should().BeNull("a replaced key expires as planned");
        ManagedKeyDue.ExpiringSoonFrom(plain, plain.CurrentVersion! with { ExpiresAt = null }, Lead).Should().BeNull();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-60)]
    public void Validate_NonPositiveRenewalLead_IsRefused(int minutes)
    {
        var policy = new RotationPolicy { RenewBeforeExpiry = Duration.FromMinutes(minutes) };

        policy.Invoking(p => p.Validate()).Should().Throw<RotationPolicyException>().WithMessage("*renewal lead*positive*");
    }

    [Fact]
    public void Validate_RenewalLeadOverTenYears_IsRefused()
        => new RotationPolicy { RenewBeforeExpiry = Duration.FromDays(4000) }.Invoking(p => p.Validate()).Should().Throw<RotationPolicyException>().WithMessage("*renewal lead*10 years*");

    private static ManagedKey Key(RotationPolicy policy, params KeyVersion[] versions) => new()
    {
        Reference = new KeyReference(ProviderId.AwsBedrockShortTerm, "prod"),
        Policy = policy,
        Versions = versions,
        CreatedAt = T0,
    };

    private static KeyVersion Current(string id, Instant activated, Instant expires) => Version(id, KeyStage.Current, expires) with { ActivatedAt = activated };

    private static KeyVersion Previous(string id, Instant expires) => Version(id, KeyStage.Previous, expires);

    private static KeyVersion Version(string id, KeyStage stage, Instant expires) => new()
    {
        VersionId = id,
        Stage = stage,
        CreatedAt = T0,
        ExpiresAt = expires,
        DisplayHint = "bedrock-api-key-…",
        Fingerprint = "fp",
        Secret = new EncryptedSecret { KeyEncryptionKeyId = "kek", WrappedDataKey = new byte[] { 1 }, Nonce = new byte[12], Ciphertext = new byte[] { 2 } },
    };
}
