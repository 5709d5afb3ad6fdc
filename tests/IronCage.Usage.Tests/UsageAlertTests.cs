using IronCage.Testing;
using IronCage.Usage;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Usage.Tests;

public sealed class UsageAlertTests
{
    private static readonly KeyReference Key = UsageHarness.OpenAI;

    [Fact]
    public async Task EvaluateAsync_SoftLimitThresholds_FireOncePerThresholdPerWindow()
    {
        var clock = FakeClock.FromUtc(2026, 3, 10, 12, 0, 0);
        await using var usage = await UsageHarness.CreateAsync(clock, managed: (Key, UsageHarness.Limits([0.5m, 0.8m, 1.0m], new UsageLimit(UsageMetric.Requests, UsageWindow.Hour, 10, LimitEnforcement.Soft))));

        usage.Record(Key, "gpt-4o", 1, 1, times: 4);
        (await usage.Monitor.EvaluateAsync(clock.GetCurrentInstant())).Should().BeEmpty();
        usage.Record(Key, "gpt-4o", 1, 1);
        (await usage.Monitor.EvaluateAsync(clock.GetCurrentInstant())).Should().ContainSingle().Which.Threshold.Should().Be(0.5);
        (await usage.Monitor.EvaluateAsync(clock.GetCurrentInstant())).Should().BeEmpty();
        usage.Record(Key, "gpt-4o", 1, 1, times: 3);
        clock.AdvanceMinutes(20);
        await usage.Recorder.FlushAsync();
        (await usage.Monitor.EvaluateAsync(clock.GetCurrentInstant())).Should().ContainSingle().Which.Threshold.Should().Be(0.8);
        usage.Record(Key, "gpt-4o", 1, 1, times: 5);
        var full = (await usage.Monitor.EvaluateAsync(clock.GetCurrentInstant())).Should().ContainSingle().Subject;
        full.Threshold.Should().Be(1.0);
        full.Kind.Should().Be(UsageAlertKind.ThresholdReached, "a soft limit never blocks, so it never raises LimitReached");
        full.Value.Should().Be(13);
        full.WindowEnd.Should().Be(Instant.FromUtc(2026, 3, 10, 13, 0));
        full.Describe().Should().Contain("openai/prod").And.Contain("10 Requests per Hour");
        (await usage.Monitor.EvaluateAsync(clock.GetCurrentInstant())).Should().BeEmpty();

        // The next window starts over: jumping straight to 90% raises one alert, for the highest threshold crossed.
        clock.Reset(Instant.FromUtc(2026, 3, 10, 13, 5));
        usage.Record(Key, "gpt-4o", 1, 1, times: 9);
        (await usage.Monitor.EvaluateAsync(clock.GetCurrentInstant())).Should().ContainSingle().Which.Threshold.Should().Be(0.8);
        usage.Alerts.Alerts.Should().HaveCount(4);
    }

    [Fact]
    public async Task EvaluateAsync_HardLimitReached_RaisesLimitReachedOnce()
    {
        await using var usage = await UsageHarness.CreateAsync(managed: (Key, UsageHarness.Limits([1.0m], new UsageLimit(UsageMetric.Requests, UsageWindow.Day, 3))));
        usage.Record(Key, "gpt-4o", 1, 1, times: 3);

        var alerts = await usage.Monitor.EvaluateAsync(usage.Clock.GetCurrentInstant());
        await usage.Monitor.EvaluateAsync(usage.Clock.GetCurrentInstant());

        alerts.Select(a => a.Kind).Should().BeEquivalentTo([UsageAlertKind.ThresholdReached, UsageAlertKind.LimitReached]);
        usage.Alerts.Alerts.Should().HaveCount(2);
    }

    [Fact]
    public async Task EvaluateAsync_ErrorRateOverTheThresholdWithEnoughRequests_RaisesOneErrorSpikePerMinute()
    {
        var clock = FakeClock.FromUtc(2026, 3, 10, 12, 0, 10);
        await using var usage = await UsageHarness.CreateAsync(clock, configure: o =>
        {
            o.ErrorSpikeThreshold = 0.5;
            o.ErrorSpikeMinimumRequests = 20;
        });
        usage.Record(Key, "gpt-4o", 1, 0, times: 9, error: ProviderErrorKind.Transient);
        usage.Record(Key, "gpt-4o", 1, 1, times: 9);
        (await usage.Monitor.EvaluateAsync(clock.GetCurrentInstant())).Should().BeEmpty("18 requests are fewer than the minimum");

        usage.Record(Key, "gpt-4o", 1, 0, times: 2, error: ProviderErrorKind.RateLimited);
        var spike = (await usage.Monitor.EvaluateAsync(clock.GetCurrentInstant())).Should().ContainSingle().Subject;
        spike.Kind.Should().Be(UsageAlertKind.ErrorSpike);
        spike.Threshold.Should().BeApproximately(11 / 20.0, 1e-9);
        spike.WindowStart.Should().Be(Instant.FromUtc(2026, 3, 10, 12, 0));

        clock.AdvanceSeconds(30);
        usage.Record(Key, "gpt-4o", 1, 0, times: 5, error: ProviderErrorKind.Transient);
        (await usage.Monitor.EvaluateAsync(clock.GetCurrentInstant())).Should().BeEmpty("one spike alert per minute");
        clock.AdvanceMinutes(1);
        usage.Record(Key, "gpt-4o", 1, 1, times: 20);
        (await usage.Monitor.EvaluateAsync(clock.GetCurrentInstant())).Should().BeEmpty("the new minute has no errors");
    }

    [Fact]
    public async Task EvaluateAsync_HourlyCostOverTheVelocity_RaisesSpendVelocityOncePerHour()
    {
        var clock = FakeClock.FromUtc(2026, 3, 10, 12, 10, 0);
        await using var usage = await UsageHarness.CreateAsync(clock, configure: o => o.SpendVelocityPerHour = 1m);
        usage.Record(Key, "gpt-4o", 200_000, 0);
        (await usage.Monitor.EvaluateAsync(clock.GetCurrentInstant())).Should().BeEmpty("0.50 is under 1 per hour");

        usage.Record(Key, "gpt-4o", 200_001, 0);
        var alert = (await usage.Monitor.EvaluateAsync(clock.GetCurrentInstant())).Should().ContainSingle().Subject;
        alert.Kind.Should().Be(UsageAlertKind.SpendVelocity);
        alert.Value.Should().Be(400_001 * 2.50m / 1_000_000m);
        usage.Record(Key, "gpt-4o", 1_000_000, 0);
        (await usage.Monitor.EvaluateAsync(clock.GetCurrentInstant())).Should().BeEmpty();
        clock.AdvanceHours(1);
        usage.Record(Key, "gpt-4o", 1_000_000, 0);
        (await usage.Monitor.EvaluateAsync(clock.GetCurrentInstant())).Should().ContainSingle().Which.Kind.Should().Be(UsageAlertKind.SpendVelocity);
    }

    [Fact]
    public async Task EvaluateAsync_CostProjectedOverItsLimit_RaisesProjectedOverLimit()
    {
        // 06:00 is a quarter of the day: 3.00 spent projects to 12.00, over a 10.00 daily limit.
        var clock = FakeClock.FromUtc(2026, 3, 10, 1, 0, 0);
        await using var usage = await UsageHarness.CreateAsync(clock, managed: (Key, UsageHarness.Limits([1.0m], new UsageLimit(UsageMetric.Cost, UsageWindow.Day, 10m, LimitEnforcement.Soft))));
        usage.Record(Key, "gpt-4o", 400_000, 0);
        (await usage.Monitor.EvaluateAsync(clock.GetCurrentInstant())).Should().BeEmpty("before a tenth of the day has passed nothing is projected");

        clock.Reset(Instant.FromUtc(2026, 3, 10, 6, 0));
        usage.Record(Key, "gpt-4o", 800_000, 0);
        var alert = (await usage.Monitor.EvaluateAsync(clock.GetCurrentInstant())).Should().ContainSingle().Subject;

        alert.Kind.Should().Be(UsageAlertKind.ProjectedOverLimit);
        alert.Value.Should().Be(12m);
        (await usage.Monitor.EvaluateAsync(clock.GetCurrentInstant())).Should().BeEmpty();
    }

    [Fact]
    public async Task EvaluateAsync_NoSink_WritesTheAlertToTheLog()
    {
        await using var usage = await UsageHarness.CreateAsync(managed: (Key, UsageHarness.Limits([0.5m], new UsageLimit(UsageMetric.Requests, UsageWindow.Day, 2, LimitEnforcement.Soft))));
        var monitor = new UsageAlertMonitor(usage.Recorder, [], Microsoft.Extensions.Options.Options.Create(usage.Options), new LoggerFactory([usage.Logs]).CreateLogger<UsageAlertMonitor>());
        usage.Record(Key, "gpt-4o", 1, 1);

        await monitor.EvaluateAsync(usage.Clock.GetCurrentInstant());

        usage.Logs.Entries.Should().Contain(e => e.EventId.Id == 305 && e.Message.Contains("openai/prod"));
    }
}
