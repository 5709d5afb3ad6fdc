using IronCage.Encryption;
using NodaTime;

namespace IronCage.Core.Tests.Model;

public sealed class ManagedKeyDueTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 1, 9, 0);
    private static readonly Duration Lead = Duration.FromDays(14);

    [Fact]
    public void Compute_ScheduledKey_IsTheScheduleFromTheCurrentVersionsActivation()
    {
        var key = Key(new RotationPolicy { Schedule = RotationSchedule.Monthly }, Version("kv_1", KeyStage.Current) with { ActivatedAt = T0 + Duration.FromDays(2) });

        ManagedKeyDue.Compute(key, Lead).Should().Be(Instant.FromUtc(2026, 12, 3, 9, 0));
    }

    [Fact]
    public void Compute_NoScheduleNoExpiry_IsNever()
        => ManagedKeyDue.Compute(Key(RotationPolicy.Default, Version("kv_1", KeyStage.Current)), Lead).Should().Be(ManagedKeyDue.Never);

    [Fact]
    public void Compute_KilledCurrentVersion_HasNoScheduledRotation()
    {
        var key = Key(new RotationPolicy { Schedule = RotationSchedule.Weekly }, Version("kv_1", KeyStage.Current) with { KilledAt = T0 });

        ManagedKeyDue.Compute(key, Lead).Should().Be(ManagedKeyDue.Never, "a killed key is not re-created by the schedule");
    }

    [Fact]
    public void Compute_ExpiringVersions_IsTheEarliestUnwarnedServableWarning()
    {
        var key = Key(
            new RotationPolicy { Schedule = RotationSchedule.Quarterly },
            Version("kv_1", KeyStage.Revoked) with { ExpiresAt = T0 + Duration.FromDays(15) },
            Version("kv_2", KeyStage.Previous) with { ExpiresAt = T0 + Duration.FromDays(20), ExpiryWarnedAt = T0 },
            Version("kv_3", KeyStage.Current) with { ExpiresAt = T0 + Duration.FromDays(30) });

        ManagedKeyDue.Compute(key, Lead).Should().Be(T0 + Duration.FromDays(16), "a revoked version and an already warned one are not warned about");
        ManagedKeyDue.ExpiringVersions(key, T0 + Duration.FromDays(16), Lead).Select(v => v.VersionId).Should().Equal("kv_3");
        ManagedKeyDue.ExpiringVersions(key, T0 + Duration.FromDays(15), Lead).Should().BeEmpty();
    }

    [Fact]
    public void Compute_PolicyLead_WinsOverTheDefault()
    {
        var key = Key(new RotationPolicy { ExpiryWarningLead = Duration.FromDays(3) }, Version("kv_1", KeyStage.Current) with { ExpiresAt = T0 + Duration.FromDays(30) });

        ManagedKeyDue.Compute(key, Lead).Should().Be(T0 + Duration.FromDays(27));
    }

    [Fact]
    public void Compute_ScheduleBeyondTheCalendar_IsUnknownSoTheSchedulerLooks()
    {
        // Schedules are bounded to 10 years (P9000Y is refused at parse), but a version activated near the calendar's
        // end still has a next due time past it.
        var key = Key(new RotationPolicy { Schedule = RotationSchedule.Parse("P10Y") }, Version("kv_1", KeyStage.Current) with { ActivatedAt = Instant.FromUtc(9995, 1, 1, 0, 0) });

        ManagedKeyDue.Compute(key, Lead).Should().BeNull();
    }

    private static ManagedKey Key(RotationPolicy policy, params KeyVersion[] versions)
        => new() { Reference = KeyReference.Parse("openai/prod"), CreatedAt = T0, Policy = policy, Versions = versions };

    private static KeyVersion Version(string id, KeyStage stage) => new()
    {
        VersionId = id,
        Stage = stage,
        CreatedAt = T0,
        DisplayHint = "sk-…abcd",
        Fingerprint = "fp-" + id,
        Secret = new EncryptedSecret { KeyEncryptionKeyId = "kek", WrappedDataKey = new byte[] { 1 }, Nonce = new byte[12], Ciphertext = new byte[] { 2 } },
    };
}
