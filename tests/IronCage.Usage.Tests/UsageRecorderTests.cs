using IronCage.Storage;
using IronCage.Testing;
using IronCage.Usage;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Usage.Tests;

public sealed class UsageRecorderTests
{
    private static readonly KeyReference Key = UsageHarness.OpenAI;

    [Fact]
    public async Task FlushAsync_ManySamples_PreAggregatesPerKeyVersionModelAndMinute()
    {
        var store = new FlakyUsageStore();
        await using var usage = await UsageHarness.CreateAsync(store: store);
        usage.Record(Key, "gpt-4o", 1_000, 500, times: 3);
        usage.Record(Key, "gpt-4o", 1_000, 0, error: ProviderErrorKind.Transient);
        usage.Record(Key, "gpt-4o-mini", 2_000, 1_000);
        usage.Record(Key, "gpt-4o", 10, 10, version: "v2");
        usage.Clock.AdvanceMinutes(1);
        usage.Record(Key, "gpt-4o", 100, 100);

        await usage.Recorder.FlushAsync();

        var records = store.Batches.Should().ContainSingle().Subject.OrderBy(r => r.Minute).ThenBy(r => r.Model).ThenBy(r => r.VersionId).ToList();
        records.Should().HaveCount(4);
        var first = records[0];
        first.Model.Should().Be("gpt-4o");
        first.VersionId.Should().Be("v1");
        first.Minute.Should().Be(Instant.FromUtc(2026, 3, 10, 12, 0));
        first.Requests.Should().Be(4);
        first.Errors.Should().Be(1);
        first.InputTokens.Should().Be(4_000);
        first.OutputTokens.Should().Be(1_500);
        first.CostStatus.Should().Be(UsageCostStatus.Priced);
        first.Cost.Should().Be((4_000 * 2.50m + 1_500 * 10.00m) / 1_000_000m);
        records[1].VersionId.Should().Be("v2");
        records[2].Model.Should().Be("gpt-4o-mini");
        records[2].Cost.Should().Be((2_000 * 0.15m + 1_000 * 0.60m) / 1_000_000m);
        records[3].Minute.Should().Be(Instant.FromUtc(2026, 3, 10, 12, 1));
    }

    [Fact]
    public async Task FlushAsync_Twice_AppendsOnlyWhatWasRecordedInBetween()
    {
        var store = new FlakyUsageStore();
        await using var usage = await UsageHarness.CreateAsync(store: store);
        usage.Record(Key, "gpt-4o", 100, 10, times: 2);
        await usage.Recorder.FlushAsync();
        usage.Record(Key, "gpt-4o", 100, 10);
        await usage.Recorder.FlushAsync();
        await usage.Recorder.FlushAsync();

        store.Batches.Should().HaveCount(2);
        store.Batches[0].Single().Requests.Should().Be(2);
        store.Batches[1].Single().Requests.Should().Be(1);
    }

    [Fact]
    public async Task FlushAsync_StoreDown_KeepsTheBatchAndAppendsItWithTheNextWithoutLoss()
    {
        var store = new FlakyUsageStore();
        await using var usage = await UsageHarness.CreateAsync(store: store);
        store.Down = true;
        usage.Record(Key, "gpt-4o", 100, 10, times: 5);

        await usage.Recorder.FlushAsync();
        usage.Record(Key, "gpt-4o", 100, 10, times: 2);
        await usage.Recorder.FlushAsync();

        store.FailedAppends.Should().Be(2);
        usage.Recorder.PendingRecords.Should().Be(1);
        usage.Logs.Entries.Should().Contain(e => e.EventId.Id == 300);

        store.Down = false;
        await usage.Recorder.FlushAsync();

        var record = store.Batches.Should().ContainSingle().Subject.Should().ContainSingle().Subject;
        record.Requests.Should().Be(7);
        record.InputTokens.Should().Be(700);
        usage.Recorder.PendingRecords.Should().Be(0);
        usage.Recorder.DroppedRecords.Should().Be(0);
    }

    [Fact]
    public async Task FlushAsync_StoreDownPastTheBound_DropsTheOldestMinutesCountsAndLogsThem()
    {
        var store = new FlakyUsageStore();
        await using var usage = await UsageHarness.CreateAsync(store: store, configure: o => o.MaxPendingRecords = 2);
        store.Down = true;
        for (var minute = 0; minute < 3; minute++)
        {
            usage.Record(Key, "gpt-4o", 1, 1, times: minute + 1);
            usage.Clock.AdvanceMinutes(1);
        }

        await usage.Recorder.FlushAsync();

        usage.Recorder.DroppedRecords.Should().Be(1);
        usage.Recorder.DroppedRequests.Should().Be(1);
        usage.Logs.Entries.Should().Contain(e => e.EventId.Id == 301);
        store.Down = false;
        await usage.Recorder.FlushAsync();
        store.Batches.Single().Select(r => r.Requests).Should().BeEquivalentTo([2L, 3L]);
    }

    [Fact]
    public async Task DisposeAsync_FlushesWhatWasRecorded()
    {
        var store = new FlakyUsageStore();
        var usage = await UsageHarness.CreateAsync(store: store);
        usage.Record(Key, "gpt-4o", 100, 10, times: 3);

        await usage.DisposeAsync();
        await usage.DisposeAsync();

        store.Batches.Should().ContainSingle().Which.Single().Requests.Should().Be(3);
    }

    [Fact]
    public async Task Record_ModelNoStoreAccepts_IsCountedWithoutItsModelAndTheBatchIsStored()
    {
        // A hostile provider answer naming a model with a NUL (or a megabyte of one) must not poison the flush.
        var store = new FlakyUsageStore();
        await using var usage = await UsageHarness.CreateAsync(store: store);
        var at = usage.Clock.GetCurrentInstant();

        usage.Recorder.Record(new UsageSample(Key, at, "gpt\0-4o", 2, 1));
        usage.Recorder.Record(new UsageSample(Key, at, new string('m', 1024 * 1024), 2, 1));
        usage.Recorder.Record(new UsageSample(Key, at, "gpt-4o", 2, 1));
        await usage.Recorder.FlushAsync();

        var records = store.Batches.SelectMany(b => b).ToList();
        records.Sum(r => r.Requests).Should().Be(3);
        records.Select(r => r.Model).Should().BeEquivalentTo(new string?[] { null, "gpt-4o" });
    }

    [Fact]
    public async Task Record_FromManyThreadsAcrossMinutes_LosesNothing()
    {
        var store = new FlakyUsageStore();
        await using var usage = await UsageHarness.CreateAsync(store: store);
        var start = usage.Clock.GetCurrentInstant();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                // Samples spread over 10 minutes, so slots are retired while writers still write.
                var at = start + Duration.FromSeconds(i % 600);
                usage.Recorder.Record(new UsageSample(Key, at, "gpt-4o", 2, 1));
            }
        })).ToArray();
        var flusher = Task.Run(async () =>
        {
            while (!writers.All(w => w.IsCompleted))
            {
                usage.Clock.AdvanceSeconds(30);
                await usage.Recorder.FlushAsync();
            }
        });
        await Task.WhenAll(writers);
        await flusher;
        await usage.Recorder.FlushAsync();

        var records = store.Batches.SelectMany(b => b).ToList();
        records.Sum(r => r.Requests).Should().Be(80_000);
        records.Sum(r => r.InputTokens).Should().Be(160_000);
        records.Sum(r => r.OutputTokens).Should().Be(80_000);
    }

    [Fact]
    public async Task RefreshAsync_TwoInstancesOverOneStore_SeeEachOthersUsage()
    {
        var store = new InMemoryUsageStore();
        var keys = new InMemoryKeyStore();
        var clock = FakeClock.FromUtc(2026, 3, 10, 12, 30, 0);
        var limits = UsageHarness.Limits(new UsageLimit(UsageMetric.Requests, UsageWindow.Hour, 10));
        await using var a = await UsageHarness.CreateAsync(clock, store, keys, managed: (Key, limits));
        await using var b = await UsageHarness.CreateAsync(clock, store, keys);
        a.Record(Key, "gpt-4o", 100, 10, times: 6);
        b.Record(Key, "gpt-4o", 100, 10, times: 4);

        a.Recorder.IsBlocked(Key, clock.GetCurrentInstant(), out _).Should().BeFalse("instance A has not seen B's usage yet");
        await b.Recorder.FlushAsync();
        await a.Recorder.RefreshAsync();
        await b.Recorder.RefreshAsync();

        a.Recorder.IsBlocked(Key, clock.GetCurrentInstant(), out var skip).Should().BeTrue();
        skip!.Reason.Should().Be(KeySkipReason.LimitReached);
        b.Recorder.IsBlocked(Key, clock.GetCurrentInstant(), out _).Should().BeTrue();
        (await a.Query.GetCurrentUsageAsync(Key)).Hour.Requests.Should().Be(10);
        (await b.Query.GetCurrentUsageAsync(Key)).Hour.Requests.Should().Be(10);

        // Refreshing again must not count an instance's own flushed usage twice.
        await a.Recorder.RefreshAsync();
        (await a.Query.GetCurrentUsageAsync(Key)).Day.Requests.Should().Be(10);
    }
}
