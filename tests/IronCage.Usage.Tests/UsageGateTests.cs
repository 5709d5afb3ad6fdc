using IronCage.Testing;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Usage.Tests;

public sealed class UsageGateTests
{
    private static readonly KeyReference Key = UsageHarness.OpenAI;

    [Fact]
    public async Task IsBlocked_HardLimitReached_BlocksUntilTheWindowResets()
    {
        var clock = FakeClock.FromUtc(2026, 3, 10, 12, 40, 0);
        await using var usage = await UsageHarness.CreateAsync(clock, managed: (Key, UsageHarness.Limits(new UsageLimit(UsageMetric.Tokens, UsageWindow.Hour, 1_000))));
        usage.Record(Key, "gpt-4o", 400, 100);
        usage.Recorder.IsBlocked(Key, clock.GetCurrentInstant(), out _).Should().BeFalse();

        usage.Record(Key, "gpt-4o", 400, 100);
        usage.Recorder.IsBlocked(Key, clock.GetCurrentInstant(), out var skip).Should().BeTrue();
        skip!.Reason.Should().Be(KeySkipReason.LimitReached);
        skip.Until.Should().Be(Instant.FromUtc(2026, 3, 10, 13, 0));
        skip.Detail.Should().Contain("1000 Tokens per Hour");

        // Slots older than two minutes are folded into the window sums: still blocked after they are retired.
        clock.AdvanceMinutes(10);
        await usage.Recorder.FlushAsync();
        usage.Recorder.IsBlocked(Key, clock.GetCurrentInstant(), out _).Should().BeTrue();

        clock.Reset(Instant.FromUtc(2026, 3, 10, 13, 0));
        usage.Recorder.IsBlocked(Key, clock.GetCurrentInstant(), out _).Should().BeFalse();
    }

    [Fact]
    public async Task IsBlocked_SoftLimitOrNoLimit_NeverBlocks()
    {
        await using var usage = await UsageHarness.CreateAsync(managed:
        [
            (Key, UsageHarness.Limits(new UsageLimit(UsageMetric.Requests, UsageWindow.Minute, 1, LimitEnforcement.Soft))),
            (UsageHarness.Anthropic, UsageLimits.None),
        ]);
        usage.Record(Key, "gpt-4o", 1, 1, times: 5);
        usage.Record(UsageHarness.Anthropic, "claude-sonnet-4", 1, 1, times: 5);

        usage.Recorder.IsBlocked(Key, usage.Clock.GetCurrentInstant(), out _).Should().BeFalse();
        usage.Recorder.IsBlocked(UsageHarness.Anthropic, usage.Clock.GetCurrentInstant(), out _).Should().BeFalse();
    }

    [Fact]
    public async Task IsBlocked_HardCostLimitPerMonth_ResetsAtTheMonthEnd()
    {
        var clock = FakeClock.FromUtc(2026, 1, 31, 23, 58, 0);
        await using var usage = await UsageHarness.CreateAsync(clock, managed: (Key, UsageHarness.Limits(new UsageLimit(UsageMetric.Cost, UsageWindow.Month, 1m))));
        usage.Record(Key, "gpt-4o", 400_000, 0);

        usage.Recorder.IsBlocked(Key, clock.GetCurrentInstant(), out var skip).Should().BeTrue();
        skip!.Until.Should().Be(Instant.FromUtc(2026, 2, 1, 0, 0));
        clock.AdvanceMinutes(2);
        usage.Recorder.IsBlocked(Key, clock.GetCurrentInstant(), out _).Should().BeFalse();
    }
}
