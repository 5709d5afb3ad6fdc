using NodaTime;

namespace IronCage.Testing.Tests;

public sealed class FakeClockTests
{
    private static readonly Instant Start = Instant.FromUtc(2026, 3, 1, 12, 0);

    [Fact]
    public void GetCurrentInstant_NewClock_ReturnsInitialInstantEveryTime()
    {
        var clock = new FakeClock(Start);

        clock.GetCurrentInstant().Should().Be(Start);
        clock.GetCurrentInstant().Should().Be(Start);
        clock.AutoAdvance.Should().Be(Duration.Zero);
    }

    [Fact]
    public void Advance_Duration_MovesClockByThatDuration()
    {
        var clock = new FakeClock(Start);

        clock.Advance(Duration.FromMilliseconds(1500));

        clock.GetCurrentInstant().Should().Be(Start + Duration.FromMilliseconds(1500));
    }

    [Fact]
    public void Advance_NegativeDuration_MovesClockBack()
    {
        var clock = new FakeClock(Start);

        clock.Advance(Duration.FromMinutes(-5));

        clock.GetCurrentInstant().Should().Be(Start - Duration.FromMinutes(5));
    }

    [Fact]
    public void AdvanceUnits_EachHelper_AddsItsUnitAndAccumulates()
    {
        var clock = new FakeClock(Start);

        clock.AdvanceSeconds(7);
        clock.GetCurrentInstant().Should().Be(Start + Duration.FromSeconds(7));

        clock.AdvanceMinutes(3);
        clock.GetCurrentInstant().Should().Be(Start + Duration.FromSeconds(7) + Duration.FromMinutes(3));

        clock.AdvanceHours(2);
        clock.GetCurrentInstant().Should().Be(Start + Duration.FromSeconds(7) + Duration.FromMinutes(3) + Duration.FromHours(2));

        clock.AdvanceDays(10);
        clock.GetCurrentInstant().Should().Be(Start + Duration.FromSeconds(7) + Duration.FromMinutes(3) + Duration.FromHours(2) + Duration.FromDays(10));
    }

    [Fact]
    public void AdvanceDays_AcrossDstChange_AddsStandardDaysOf24Hours()
    {
        // 29 March 2026 is a 23-hour day in Europe; the fake clock is UTC-based and adds exactly 24 h per day.
        var clock = new FakeClock(Instant.FromUtc(2026, 3, 28, 9, 0));

        clock.AdvanceDays(2);

        clock.GetCurrentInstant().Should().Be(Instant.FromUtc(2026, 3, 30, 9, 0));
    }

    [Fact]
    public void Reset_ToEarlierOrLaterInstant_SetsClockExactly()
    {
        var clock = new FakeClock(Start);
        clock.AdvanceDays(3);

        clock.Reset(Start - Duration.FromDays(400));
        clock.GetCurrentInstant().Should().Be(Start - Duration.FromDays(400));

        clock.Reset(Start);
        clock.GetCurrentInstant().Should().Be(Start);
    }

    [Fact]
    public void GetCurrentInstant_WithAutoAdvance_ReturnsThenAdvances()
    {
        var clock = new FakeClock(Start, Duration.FromSeconds(1));

        clock.GetCurrentInstant().Should().Be(Start);
        clock.GetCurrentInstant().Should().Be(Start + Duration.FromSeconds(1));
        clock.GetCurrentInstant().Should().Be(Start + Duration.FromSeconds(2));
    }

    [Fact]
    public void AutoAdvance_SetAfterConstruction_AppliesFromNextReading()
    {
        var clock = new FakeClock(Start);
        clock.GetCurrentInstant().Should().Be(Start);

        clock.AutoAdvance = Duration.FromMinutes(1);

        clock.GetCurrentInstant().Should().Be(Start);
        clock.GetCurrentInstant().Should().Be(Start + Duration.FromMinutes(1));

        clock.AutoAdvance = Duration.Zero;
        clock.GetCurrentInstant().Should().Be(Start + Duration.FromMinutes(2));
        clock.GetCurrentInstant().Should().Be(Start + Duration.FromMinutes(2));
    }

    [Fact]
    public void AutoAdvance_CombinedWithAdvance_BothApply()
    {
        var clock = new FakeClock(Start, Duration.FromSeconds(1));

        clock.GetCurrentInstant();
        clock.AdvanceHours(1);

        clock.GetCurrentInstant().Should().Be(Start + Duration.FromSeconds(1) + Duration.FromHours(1));
    }

    [Fact]
    public void AutoAdvance_SetNegative_ThrowsAndKeepsPreviousValue()
    {
        var clock = new FakeClock(Start, Duration.FromSeconds(2));

        var act = () => clock.AutoAdvance = Duration.FromTicks(-1);

        act.Should().Throw<ArgumentOutOfRangeException>();
        clock.AutoAdvance.Should().Be(Duration.FromSeconds(2));
    }

    [Fact]
    public void Constructor_NegativeAutoAdvance_Throws()
    {
        var act = () => new FakeClock(Start, Duration.FromSeconds(-1));

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void FromUtc_DateAndTime_StartsAtThatUtcInstant()
    {
        var clock = FakeClock.FromUtc(2028, 2, 29, 23, 59, 58);

        clock.GetCurrentInstant().Should().Be(Instant.FromUtc(2028, 2, 29, 23, 59, 58));
        clock.AutoAdvance.Should().Be(Duration.Zero);
    }

    [Fact]
    public void FromUtc_DateOnly_StartsAtMidnightUtc()
    {
        var clock = FakeClock.FromUtc(2026, 1, 15);

        clock.GetCurrentInstant().Should().Be(Instant.FromUtc(2026, 1, 15, 0, 0));
    }

    [Fact]
    public void ToString_DoesNotAdvanceClock()
    {
        var clock = new FakeClock(Start, Duration.FromSeconds(1));

        _ = clock.ToString();
        _ = clock.ToString();

        clock.GetCurrentInstant().Should().Be(Start);
    }

    [Fact]
    public async Task GetCurrentInstant_ParallelReadsWithOneTickAutoAdvance_EveryReadDistinctAndTotalAdvanceEqualsReads()
    {
        const int Workers = 8;
        const int ReadsPerWorker = 5_000;
        var clock = new FakeClock(Start, Duration.FromTicks(1));
        using var go = new ManualResetEventSlim();

        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(() =>
        {
            go.Wait();
            var readings = new Instant[ReadsPerWorker];
            for (var i = 0; i < readings.Length; i++)
            {
                readings[i] = clock.GetCurrentInstant();
            }

            return readings;
        })).ToArray();
        go.Set();
        var all = (await Task.WhenAll(workers)).SelectMany(r => r).ToList();

        all.Should().OnlyHaveUniqueItems();
        all.Min().Should().Be(Start);
        all.Max().Should().Be(Start + Duration.FromTicks((Workers * ReadsPerWorker) - 1));
        clock.AutoAdvance = Duration.Zero;
        clock.GetCurrentInstant().Should().Be(Start + Duration.FromTicks(Workers * ReadsPerWorker));
    }

    [Fact]
    public async Task Advance_ParallelCalls_NoUpdateIsLost()
    {
        var clock = new FakeClock(Start);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 1_000; i++)
            {
                clock.AdvanceSeconds(1);
            }
        })));

        clock.GetCurrentInstant().Should().Be(Start + Duration.FromSeconds(8_000));
    }
}
