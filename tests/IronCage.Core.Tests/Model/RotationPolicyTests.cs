using NodaTime;

namespace IronCage.Core.Tests.Model;

public sealed class RotationPolicyTests
{
    private static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
    private static readonly KeyReference Prod = KeyReference.Parse("openai/prod");

    [Fact]
    public void Default_HasNoScheduleAndValidates()
    {
        var policy = RotationPolicy.Default;

        policy.Schedule.Should().BeNull();
        policy.Window.Should().BeNull();
        policy.GracePeriod.Should().BeNull();
        policy.Jitter.Should().Be(Duration.Zero);
        policy.TimeZone.Should().Be(DateTimeZone.Utc);
        policy.Invoking(p => p.Validate()).Should().NotThrow();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(24 * 30)]
    public void Validate_GracePeriodInRange_Passes(int hours)
    {
        var policy = new RotationPolicy { GracePeriod = Duration.FromHours(hours) };

        policy.Invoking(p => p.Validate()).Should().NotThrow();
    }

    [Fact]
    public void Validate_NegativeGracePeriod_Throws()
    {
        var policy = new RotationPolicy { GracePeriod = Duration.FromSeconds(-1) };

        policy.Invoking(p => p.Validate()).Should().Throw<RotationPolicyException>().WithMessage("*grace period*30 days*");
    }

    [Fact]
    public void Validate_GracePeriodOver30Days_Throws()
    {
        var policy = new RotationPolicy { GracePeriod = Duration.FromDays(30) + Duration.Epsilon };

        policy.Invoking(p => p.Validate()).Should().Throw<RotationPolicyException>();
    }

    [Fact]
    public void Validate_NegativeExpiryWarningLead_Throws()
    {
        var policy = new RotationPolicy { ExpiryWarningLead = Duration.FromDays(-1) };

        policy.Invoking(p => p.Validate()).Should().Throw<RotationPolicyException>().WithMessage("*warning lead*");
    }

    [Fact]
    public void Validate_ZeroExpiryWarningLead_Passes()
    {
        var policy = new RotationPolicy { ExpiryWarningLead = Duration.Zero };

        policy.Invoking(p => p.Validate()).Should().NotThrow();
    }

    [Fact]
    public void Validate_NegativeJitter_Throws()
    {
        var policy = new RotationPolicy { Jitter = Duration.FromMinutes(-1) };

        policy.Invoking(p => p.Validate()).Should().Throw<RotationPolicyException>().WithMessage("*jitter*negative*");
    }

    [Theory]
    [InlineData("weekly", 7 * 24)]
    [InlineData("monthly", 28 * 24)]
    [InlineData("PT12H", 12)]
    [InlineData("P30D", 30 * 24)]
    public void Validate_JitterAtLeastScheduleLength_Throws(string schedule, int jitterHours)
    {
        var policy = new RotationPolicy { Schedule = RotationSchedule.Parse(schedule), Jitter = Duration.FromHours(jitterHours) };

        policy.Invoking(p => p.Validate()).Should().Throw<RotationPolicyException>().WithMessage("*jitter*shorter than the schedule*");
    }

    [Theory]
    [InlineData("weekly", 6 * 24)]
    [InlineData("monthly", 27 * 24)]
    [InlineData("PT12H", 11)]
    public void Validate_JitterShorterThanSchedule_Passes(string schedule, int jitterHours)
    {
        var policy = new RotationPolicy { Schedule = RotationSchedule.Parse(schedule), Jitter = Duration.FromHours(jitterHours) };

        policy.Invoking(p => p.Validate()).Should().NotThrow();
    }

    [Fact]
    public void Validate_JitterWithoutSchedule_Passes()
    {
        var policy = new RotationPolicy { Jitter = Duration.FromDays(365) };

        policy.Invoking(p => p.Validate()).Should().NotThrow();
    }

    [Fact]
    public void NextDue_NoSchedule_ReturnsNull()
    {
        var policy = new RotationPolicy { Jitter = Duration.FromHours(1) };

        policy.NextDue(Instant.FromUtc(2026, 1, 1, 0, 0), Prod).Should().BeNull();
    }

    [Fact]
    public void NextDue_ScheduleOnly_IsScheduleAfterLastRotation()
    {
        var policy = new RotationPolicy { Schedule = RotationSchedule.Monthly };

        policy.NextDue(Instant.FromUtc(2026, 1, 31, 10, 0), Prod).Should().Be(Instant.FromUtc(2026, 2, 28, 10, 0));
    }

    [Fact]
    public void NextDue_WithJitter_AddsTheKeysJitter()
    {
        var policy = new RotationPolicy { Schedule = RotationSchedule.Weekly, Jitter = Duration.FromHours(6) };
        var last = Instant.FromUtc(2026, 6, 1, 10, 0);
        var jitter = policy.JitterFor(Prod);
        jitter.Should().BeGreaterThan(Duration.Zero, "the test needs a key with a non-zero jitter");

        policy.NextDue(last, Prod).Should().Be(last + Duration.FromDays(7) + jitter);
    }

    [Fact]
    public void NextDue_DueBeforeWindow_MovesToWindowOpening()
    {
        // Rotated Monday 01:00; due a week later at 01:00 plus under an hour of jitter, which is before the 02:00 window.
        var window = new MaintenanceWindow([IsoDayOfWeek.Monday], new LocalTime(2, 0), Duration.FromHours(2), Berlin);
        var policy = new RotationPolicy { Schedule = RotationSchedule.Weekly, Window = window, Jitter = Duration.FromHours(1) };
        var last = Local(2026, 6, 15, 1, 0);

        policy.NextDue(last, Prod).Should().Be(Local(2026, 6, 22, 2, 0));
    }

    [Fact]
    public void NextDue_DueOnDayWithoutWindow_MovesToNextWindowDay()
    {
        var window = new MaintenanceWindow([IsoDayOfWeek.Saturday], new LocalTime(22, 0), Duration.FromHours(4), Berlin);
        var policy = new RotationPolicy { Schedule = RotationSchedule.Parse("P30D"), Window = window };

        // Monday 15 June 2026 + 30 days = Wednesday 15 July; the next window opens Saturday 18 July 22:00.
        policy.NextDue(Local(2026, 6, 15, 9, 0), Prod).Should().Be(Local(2026, 7, 18, 22, 0));
    }

    [Fact]
    public void NextDue_DueInsideWindow_KeepsDueWithJitter()
    {
        var window = new MaintenanceWindow([IsoDayOfWeek.Monday], new LocalTime(2, 0), Duration.FromHours(2), Berlin);
        var policy = new RotationPolicy { Schedule = RotationSchedule.Weekly, Window = window, Jitter = Duration.FromHours(1) };
        var last = Local(2026, 6, 15, 2, 0);
        var jitter = policy.JitterFor(Prod);
        jitter.Should().BeGreaterThan(Duration.Zero);

        policy.NextDue(last, Prod).Should().Be(Local(2026, 6, 22, 2, 0) + jitter);
    }

    [Fact]
    public void NextDue_WithWindow_ScheduleUsesWindowZoneAcrossDst()
    {
        // A week after Saturday 28 March 10:00 CET is Saturday 4 April 10:00 CEST: 7 days minus an hour, inside the window.
        var window = new MaintenanceWindow([IsoDayOfWeek.Saturday], new LocalTime(9, 0), Duration.FromHours(4), Berlin);
        var policy = new RotationPolicy { Schedule = RotationSchedule.Weekly, Window = window };
        var last = Local(2026, 3, 28, 10, 0);

        policy.TimeZone.Should().Be(Berlin);
        policy.NextDue(last, Prod).Should().Be(Local(2026, 4, 4, 10, 0));
    }

    [Fact]
    public void JitterFor_SameKey_IsDeterministic()
    {
        var policy = new RotationPolicy { Jitter = Duration.FromHours(1) };
        var again = new RotationPolicy { Jitter = Duration.FromHours(1) };

        policy.JitterFor(Prod).Should().Be(policy.JitterFor(Prod));
        again.JitterFor(KeyReference.Parse("OpenAI/prod")).Should().Be(policy.JitterFor(Prod));
    }

    [Fact]
    public void JitterFor_KnownKey_IsStableAcrossProcessesAndVersions()
    {
        // FNV-1a of "openai/prod" with a Murmur3 finalizer: pinned so a change of hash (which would reshuffle every key's due time) is noticed.
        var policy = new RotationPolicy { Jitter = Duration.FromHours(1) };

        policy.JitterFor(Prod).Should().Be(Duration.FromTicks(4_035_476_432));
    }

    [Fact]
    public void JitterFor_DifferentKeys_Differ()
    {
        var policy = new RotationPolicy { Jitter = Duration.FromHours(1) };

        policy.JitterFor(KeyReference.Parse("openai/prod")).Should().NotBe(policy.JitterFor(KeyReference.Parse("openai/batch")));
        policy.JitterFor(KeyReference.Parse("openai/prod")).Should().NotBe(policy.JitterFor(KeyReference.Parse("anthropic/prod")));
    }

    [Fact]
    public void JitterFor_ThousandKeys_AllWithinRangeAndSpreadOut()
    {
        var policy = new RotationPolicy { Jitter = Duration.FromHours(2) };
        var keys = Enumerable.Range(0, 1_000).Select(i => new KeyReference(ProviderId.OpenAI, $"key-{i}")).ToList();

        var jitters = keys.Select(policy.JitterFor).ToList();

        jitters.Should().OnlyContain(j => j >= Duration.Zero && j < policy.Jitter);
        jitters.Distinct().Should().HaveCountGreaterThan(990);
        var fractions = jitters.Select(j => j.TotalTicks / policy.Jitter.TotalTicks).ToList();
        fractions.Average().Should().BeApproximately(0.5, 0.05);
        fractions.Min().Should().BeLessThan(0.05);
        fractions.Max().Should().BeGreaterThan(0.95);
    }

    [Fact]
    public void JitterFor_ThousandKeys_EveryTenthOfTheRangeIsUsed()
    {
        var policy = new RotationPolicy { Jitter = Duration.FromHours(1) };

        var deciles = Enumerable.Range(0, 1_000)
            .Select(i => policy.JitterFor(new KeyReference(ProviderId.OpenRouter, $"tenant-{i}")))
            .GroupBy(j => (int)(j.TotalTicks * 10 / policy.Jitter.TotalTicks))
            .ToDictionary(g => g.Key, g => g.Count());

        deciles.Keys.Should().BeEquivalentTo(Enumerable.Range(0, 10));
        deciles.Values.Should().OnlyContain(count => count >= 50 && count <= 150);
    }

    [Fact]
    public void JitterFor_NamesDifferingOnlyInLastCharacter_AreSpreadApart()
    {
        // Keys named prod-1 … prod-9 are the usual case jitter exists for: they must not rotate at the same moment.
        var policy = new RotationPolicy { Jitter = Duration.FromHours(1) };

        var jitters = Enumerable.Range(1, 9).Select(i => policy.JitterFor(KeyReference.Parse($"openai/prod-{i}"))).ToList();

        (jitters.Max() - jitters.Min()).Should().BeGreaterThan(Duration.FromMinutes(30));
        jitters.Select(j => (long)j.TotalMinutes).Distinct().Should().HaveCountGreaterThan(6);
    }

    [Fact]
    public void JitterFor_ThousandKeysTinyJitter_NeverReachesJitter()
    {
        var policy = new RotationPolicy { Jitter = Duration.FromTicks(3) };

        Enumerable.Range(0, 1_000)
            .Select(i => policy.JitterFor(new KeyReference(ProviderId.Anthropic, $"k{i}")))
            .Should().OnlyContain(j => j >= Duration.Zero && j < Duration.FromTicks(3));
    }

    [Fact]
    public void JitterFor_LargerJitter_ScalesTheSameFraction()
    {
        var small = new RotationPolicy { Jitter = Duration.FromHours(1) }.JitterFor(Prod);
        var large = new RotationPolicy { Jitter = Duration.FromHours(4) }.JitterFor(Prod);

        (large - (small * 4)).TotalTicks.Should().BeInRange(-4, 4);
    }

    [Fact]
    public void JitterFor_ZeroJitter_IsZero()
    {
        var policy = new RotationPolicy { Schedule = RotationSchedule.Weekly };

        policy.JitterFor(Prod).Should().Be(Duration.Zero);
        Enumerable.Range(0, 100).Select(i => policy.JitterFor(new KeyReference(ProviderId.OpenAI, $"k{i}"))).Should().OnlyContain(j => j == Duration.Zero);
    }

    private static Instant Local(int year, int month, int day, int hour, int minute)
        => new LocalDateTime(year, month, day, hour, minute).InZoneStrictly(Berlin).ToInstant();
}
