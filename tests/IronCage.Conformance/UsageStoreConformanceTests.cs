using System.Diagnostics;
using IronCage.Usage;
using NodaTime;

namespace IronCage.Conformance;

/// <summary>
/// The contract every <see cref="IUsageStore"/> keeps, with <see cref="InMemoryUsageStore"/> as the reference: batches
/// stored whole or not at all, aggregates per UTC window (calendar months included) by key and model, range bounds,
/// unpriced calls, budget reservations that hold a limit exactly under concurrency (across two instances of the store
/// where the store is shared), settlement, cancellation, and a million records. Subclass it and implement
/// <see cref="CreateStore"/>; each fact gets a fresh, empty store.
/// </summary>
public abstract class UsageStoreConformanceTests : IAsyncLifetime
{
    private static readonly KeyReference Prod = KeyReference.Parse("openai/prod");
    private static readonly KeyReference Dev = KeyReference.Parse("anthropic/dev");
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 30, 23, 58);
    private readonly List<IUsageStore> _stores = [];

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            if (store is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else if (store is IDisposable disposable)
            {
                disposable.Dispose();
            }
        }
    }

    [ConformanceFact]
    public async Task Aggregate_EmptyStore_ReturnsNothing()
    {
        var store = NewStore();

        (await store.AggregateAsync(new UsageAggregateQuery { From = T0, To = T0 + Duration.FromDays(1) })).Should().BeEmpty();
        (await store.GetCommittedAsync("openai/prod:Day", T0)).Should().Be(0m);
    }

    [ConformanceTheory]
    [InlineData(UsageWindow.Minute)]
    [InlineData(UsageWindow.Hour)]
    [InlineData(UsageWindow.Day)]
    [InlineData(UsageWindow.Month)]
    public async Task Aggregate_PerGranularity_SumsEachUtcWindowLikeTheReference(UsageWindow granularity)
    {
        var store = NewStore();
        var reference = new InMemoryUsageStore();
        // Minutes around the end of November 2026 (a day, month and hour boundary at once) and one in the middle.
        var records = new List<UsageRecord>();
        var minutes = new[] { T0, T0 + Duration.FromMinutes(1), T0 + Duration.FromMinutes(2), T0 + Duration.FromMinutes(3), T0 + Duration.FromMinutes(63), T0 - Duration.FromDays(14) };
        for (var i = 0; i < minutes.Length; i++)
        {
            records.Add(Record(Prod, minutes[i], "gpt-4o", requests: i + 1, cost: 0.0001m * (i + 1)));
            records.Add(Record(Dev, minutes[i], "claude", requests: 1, cost: 1.25m));
        }

        await store.AppendAsync(records);
        await reference.AppendAsync(records);
        var query = new UsageAggregateQuery { From = T0 - Duration.FromDays(40), To = T0 + Duration.FromDays(40), Granularity = granularity };

        var actual = await store.AggregateAsync(query);

        actual.Should().Equal(await reference.AggregateAsync(query));
        actual.Select(a => a.WindowStart).Should().OnlyContain(w => granularity.StartOf(w) == w, "every window starts on a UTC boundary");
    }

    [ConformanceFact]
    public async Task Aggregate_Month_UsesCalendarMonthsInUtc()
    {
        var store = NewStore();
        var lastTickOfJanuary = Instant.FromUtc(2028, 2, 1, 0, 0) - Duration.FromTicks(1);
        await store.AppendAsync(
        [
            Record(Prod, Instant.FromUtc(2028, 1, 1, 0, 0), requests: 1, cost: 0.10m),
            Record(Prod, lastTickOfJanuary, requests: 2, cost: 0.20m),
            Record(Prod, Instant.FromUtc(2028, 2, 1, 0, 0), requests: 4, cost: 0.40m),
            Record(Prod, Instant.FromUtc(2028, 2, 29, 23, 59), requests: 8, cost: 0.80m),
            Record(Prod, Instant.FromUtc(2028, 3, 1, 0, 0), requests: 16, cost: 1.60m),
        ]);

        var months = await store.AggregateAsync(new UsageAggregateQuery { From = Instant.FromUtc(2027, 12, 1, 0, 0), To = Instant.FromUtc(2028, 4, 1, 0, 0), Granularity = UsageWindow.Month });

        months.Select(m => (m.WindowStart, m.Requests, m.Cost)).Should().Equal(
            (Instant.FromUtc(2028, 1, 1, 0, 0), 3L, 0.30m),
            (Instant.FromUtc(2028, 2, 1, 0, 0), 12L, 1.20m),
            (Instant.FromUtc(2028, 3, 1, 0, 0), 16L, 1.60m));
    }

    [ConformanceFact]
    public async Task Aggregate_ByModel_SplitsEachWindowByModelAndKeepsUnknownModelsApart()
    {
        var store = NewStore();
        await store.AppendAsync(
        [
            Record(Prod, T0, "gpt-4o", requests: 1, input: 10, output: 5, cost: 0.01m),
            Record(Prod, T0 + Duration.FromMinutes(1), "gpt-4o-mini", requests: 2, input: 20, output: 10, cost: 0.002m),
            Record(Prod, T0 + Duration.FromMinutes(1), "gpt-4o", requests: 3, input: 30, output: 15, cost: 0.03m),
            Record(Prod, T0 + Duration.FromMinutes(1), null, requests: 4, input: 40, output: 20, cost: 0.04m),
        ]);
        var query = new UsageAggregateQuery { From = T0, To = T0 + Duration.FromDays(1), Granularity = UsageWindow.Day };

        var split = await store.AggregateAsync(query with { ByModel = true });
        var whole = await store.AggregateAsync(query);

        split.Select(a => (a.Model, a.Requests, a.InputTokens, a.OutputTokens, a.Cost)).Should().Equal(
            (null, 4L, 40L, 20L, 0.04m),
            ("gpt-4o", 4L, 40L, 20L, 0.04m),
            ("gpt-4o-mini", 2L, 20L, 10L, 0.002m));
        whole.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Key = Prod, Model = (string?)null, Requests = 10L, InputTokens = 100L, OutputTokens = 50L, TotalTokens = 150L, Cost = 0.082m });
    }

    [ConformanceFact]
    public async Task Aggregate_KeyFilterAndRange_FromIsInclusiveToIsExclusive()
    {
        var store = NewStore();
        var t = Instant.FromUtc(2026, 11, 15, 12, 0);
        await store.AppendAsync(
        [
            Record(Prod, t - Duration.FromMinutes(1), requests: 1),
            Record(Prod, t, requests: 2),
            Record(Prod, t + Duration.FromMinutes(9), requests: 4),
            Record(Prod, t + Duration.FromMinutes(10), requests: 8),
            Record(Dev, t, requests: 16),
        ]);

        var query = new UsageAggregateQuery { From = t, To = t + Duration.FromMinutes(10), Granularity = UsageWindow.Month };
        var prodOnly = await store.AggregateAsync(query with { Key = Prod });
        var all = await store.AggregateAsync(query);

        prodOnly.Should().ContainSingle().Which.Requests.Should().Be(6, "the minute at From counts, the minute at To does not");
        all.Select(a => (a.Key, a.Requests)).Should().Equal((Dev, 16L), (Prod, 6L));
    }

    [ConformanceFact]
    public async Task Aggregate_UnpricedRecords_CostIsALowerBoundAndUnpricedRequestsAreCounted()
    {
        var store = NewStore();
        await store.AppendAsync(
        [
            Record(Prod, T0, "gpt-4o", requests: 3, cost: 0.30m),
            Record(Prod, T0, "mystery-model", requests: 5, errors: 1, cost: 0m, status: UsageCostStatus.Unpriced),
            Record(Prod, T0, "fallback-model", requests: 7, cost: 0.07m, status: UsageCostStatus.FallbackRate),
        ]);

        var day = (await store.AggregateAsync(new UsageAggregateQuery { From = T0, To = T0 + Duration.FromDays(1) })).Should().ContainSingle().Subject;

        day.Requests.Should().Be(15);
        day.Errors.Should().Be(1);
        day.Cost.Should().Be(0.37m, "priced and fallback-rate costs count; the unpriced calls add nothing, never an assumed price");
        day.UnpricedRequests.Should().Be(5);
    }

    [ConformanceFact]
    public async Task Aggregate_Amounts_AreExactDecimals()
    {
        var store = NewStore();
        var records = Enumerable.Range(0, 1000).Select(i => Record(Prod, T0, requests: 1, cost: 0.000000123456789m)).ToList();
        records.Add(Record(Prod, T0, requests: 1, cost: 12345678.1m));
        await store.AppendAsync(records);

        var day = (await store.AggregateAsync(new UsageAggregateQuery { From = T0, To = T0 + Duration.FromDays(1) })).Single();

        day.Cost.Should().Be(12345678.100123456789m, "no binary floating point anywhere between the record and the sum");
    }

    [ConformanceFact]
    public async Task Append_EmptyBatch_DoesNothing()
    {
        var store = NewStore();

        await store.AppendAsync([]);

        (await store.AggregateAsync(new UsageAggregateQuery { From = Instant.MinValue, To = Instant.MaxValue })).Should().BeEmpty();
    }

    [ConformanceFact]
    public async Task Append_BatchWithAnInvalidRecord_StoresNothing()
    {
        var store = NewStore();
        var batch = new List<UsageRecord> { Record(Prod, T0, requests: 1), Record(Prod, T0, requests: 2), null!, Record(Prod, T0, requests: 4) };

        var act = () => store.AppendAsync(batch);

        await act.Should().ThrowAsync<ArgumentNullException>();
        (await store.AggregateAsync(new UsageAggregateQuery { From = T0, To = T0 + Duration.FromDays(1) })).Should().BeEmpty("a batch is stored whole or not at all");
    }

    [ConformanceFact]
    public async Task Append_RoundTripsEveryCountedField()
    {
        var store = NewStore();
        await store.AppendAsync([Record(Prod, T0, "gpt-4o", requests: long.MaxValue / 4, errors: 7, input: 1L << 40, output: 1L << 41, cost: 79228162514264.337593543950m)]);

        var minute = (await store.AggregateAsync(new UsageAggregateQuery { From = T0, To = T0 + Duration.FromMinutes(1), Granularity = UsageWindow.Minute, ByModel = true })).Single();

        minute.Should().BeEquivalentTo(new UsageAggregate
        {
            Key = Prod,
            WindowStart = T0,
            Model = "gpt-4o",
            Requests = long.MaxValue / 4,
            Errors = 7,
            InputTokens = 1L << 40,
            OutputTokens = 1L << 41,
            Cost = 79228162514264.337593543950m,
        });
    }

    [ConformanceFact]
    public async Task Operations_CancelledToken_Throw()
    {
        var store = NewStore();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await FluentActions.Awaiting(() => store.AppendAsync([Record(Prod, T0, requests: 1)], cancelled.Token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(() => store.AggregateAsync(new UsageAggregateQuery { From = T0, To = T0 + Duration.FromDays(1) }, cancelled.Token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(() => store.TryReserveAsync(Reservation("b", 1m), 10m, cancelled.Token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(() => store.SettleAsync(Guid.NewGuid(), 1m, cancelled.Token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(() => store.GetCommittedAsync("b", T0, cancelled.Token)).Should().ThrowAsync<OperationCanceledException>();
        (await store.AggregateAsync(new UsageAggregateQuery { From = T0, To = T0 + Duration.FromDays(1) })).Should().BeEmpty();
        (await store.GetCommittedAsync("b", T0)).Should().Be(0m);
    }

    [ConformanceFact]
    public async Task Append_CancelledWhileWriting_StoresTheBatchWholeOrNotAtAll()
    {
        var store = NewStore();
        const int Count = 200_000;
        var batch = Enumerable.Range(0, Count).Select(i => Record(Prod, T0 + Duration.FromMinutes(i % 1000), requests: 1)).ToList();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));

        try
        {
            await store.AppendAsync(batch, cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            // Cancelled midway (or before it began): nothing may be stored.
        }

        var stored = (await store.AggregateAsync(new UsageAggregateQuery { From = T0, To = T0 + Duration.FromDays(30), Granularity = UsageWindow.Month })).Sum(a => a.Requests);
        stored.Should().BeOneOf(0, Count);
    }

    [ConformanceFact]
    public async Task Reserve_WithinLimit_IsAdmittedAndCommitted()
    {
        var store = NewStore();

        var first = await store.TryReserveAsync(Reservation("openai/prod:Day", 4.5m), limit: 10m);
        var second = await store.TryReserveAsync(Reservation("openai/prod:Day", 5.5m), limit: 10m);

        first.Should().Be(new BudgetReservationResult(true, 0m));
        second.Should().Be(new BudgetReservationResult(true, 4.5m), "exactly reaching the limit is within it");
        (await store.GetCommittedAsync("openai/prod:Day", T0)).Should().Be(10m);
        (await store.GetCommittedAsync("openai/prod:Day", T0 + Duration.FromDays(1))).Should().Be(0m, "each window has its own total");
        (await store.GetCommittedAsync("openai/other:Day", T0)).Should().Be(0m, "each budget has its own total");
    }

    [ConformanceFact]
    public async Task Reserve_OverLimit_IsRefusedAndChangesNothing()
    {
        var store = NewStore();
        var admitted = Reservation("b", 7m);
        await store.TryReserveAsync(admitted, limit: 10m);

        var refused = Reservation("b", 3.01m);
        var result = await store.TryReserveAsync(refused, limit: 10m);

        result.Should().Be(new BudgetReservationResult(false, 7m));
        (await store.GetCommittedAsync("b", T0)).Should().Be(7m);
        (await store.SettleAsync(refused.Id, 0m)).Should().BeFalse("a refused reservation is not kept");
        (await store.TryReserveAsync(Reservation("b", 3m), limit: 10m)).Admitted.Should().BeTrue();
    }

    [ConformanceFact]
    public async Task Reserve_InvalidArguments_Throw()
    {
        var store = NewStore();
        var reservation = Reservation("b", 1m);
        await store.TryReserveAsync(reservation, limit: 10m);

        await FluentActions.Awaiting(() => store.TryReserveAsync(reservation, limit: 10m)).Should().ThrowAsync<ArgumentException>("every reservation needs a new id");
        await FluentActions.Awaiting(() => store.TryReserveAsync(Reservation("b", -1m), limit: 10m)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(() => store.SettleAsync(reservation.Id, -1m)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await FluentActions.Awaiting(() => store.GetCommittedAsync(" ", T0)).Should().ThrowAsync<ArgumentException>();
        (await store.GetCommittedAsync("b", T0)).Should().Be(1m);
    }

    [ConformanceFact]
    public async Task Settle_LowersOrRaisesCommittedToTheRealCost_AndOnlyOnce()
    {
        var store = NewStore();
        var high = Reservation("b", 4m);
        var low = Reservation("b", 1m);
        await store.TryReserveAsync(high, limit: 10m);
        await store.TryReserveAsync(low, limit: 10m);

        (await store.SettleAsync(high.Id, 1.25m)).Should().BeTrue();
        (await store.GetCommittedAsync("b", T0)).Should().Be(2.25m, "settling below the reservation gives the difference back");
        (await store.SettleAsync(low.Id, 2.5m)).Should().BeTrue();
        (await store.GetCommittedAsync("b", T0)).Should().Be(3.75m, "a call that cost more than reserved raises the total to its real cost");

        (await store.SettleAsync(high.Id, 0m)).Should().BeFalse("settling twice returns false the second time");
        (await store.SettleAsync(Guid.NewGuid(), 1m)).Should().BeFalse("an unknown reservation cannot be settled");
        (await store.GetCommittedAsync("b", T0)).Should().Be(3.75m);
    }

    [ConformanceFact]
    public async Task Settle_ConcurrentlyTwice_OnlyOneSucceeds()
    {
        var store = NewStore();
        var reservation = Reservation("b", 5m);
        await store.TryReserveAsync(reservation, limit: 10m);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => store.SettleAsync(reservation.Id, 2m))));

        results.Count(r => r).Should().Be(1);
        (await store.GetCommittedAsync("b", T0)).Should().Be(2m);
    }

    [ConformanceFact]
    public async Task Reserve_64ConcurrentAgainstALimitForTen_AdmitsExactlyTen_AcrossTwoInstances()
    {
        var first = NewStore();
        var second = CreateSecondInstance(first);
        if (!ReferenceEquals(second, first))
        {
            _stores.Add(second);
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() => (i % 2 == 0 ? first : second).TryReserveAsync(Reservation("openai/prod:Month", 0.1m), limit: 1m))));

        results.Count(r => r.Admitted).Should().Be(10, "ten reservations of 0.1 fit a limit of 1, however they interleave");
        results.Where(r => r.Admitted).Select(r => r.Committed).Should().BeEquivalentTo(Enumerable.Range(0, 10).Select(i => i * 0.1m), "each admitted reservation saw every earlier one");
        results.Where(r => !r.Admitted).Should().OnlyContain(r => r.Committed == 1m);
        (await first.GetCommittedAsync("openai/prod:Month", T0)).Should().Be(1m);
        (await second.GetCommittedAsync("openai/prod:Month", T0)).Should().Be(1m);
    }

    [ConformanceFact]
    public async Task Append_OneMillionRecordsInBatches_AggregatesExactly()
    {
        var store = NewStore();
        const int Total = 1_000_000;
        const int BatchSize = 20_000;
        var keys = new[] { Prod, Dev, KeyReference.Parse("openai/batch"), KeyReference.Parse("mistral/eu") };
        var models = new[] { "gpt-4o", "gpt-4o-mini", null, "mistral-large" };
        var start = Instant.FromUtc(2026, 1, 1, 0, 0);

        // Expected sums per key and calendar month, computed as the records are made (the reference semantics).
        var expected = new Dictionary<(KeyReference, Instant), (long Requests, long Errors, long Input, long Output, decimal Cost, long Unpriced)>();
        var stopwatch = Stopwatch.StartNew();
        for (var offset = 0; offset < Total; offset += BatchSize)
        {
            var batch = new List<UsageRecord>(BatchSize);
            for (var i = offset; i < offset + BatchSize; i++)
            {
                // One record a minute per key for ~173 days: crosses six month boundaries.
                var key = keys[i % keys.Length];
                var minute = start + Duration.FromMinutes(i / keys.Length);
                var status = i % 97 == 0 ? UsageCostStatus.Unpriced : UsageCostStatus.Priced;
                var record = Record(key, minute, models[i % models.Length], requests: 1 + (i % 3), errors: i % 11 == 0 ? 1 : 0, input: i % 1000, output: i % 500, cost: status == UsageCostStatus.Unpriced ? 0m : 0.000001m * (i % 1000), status: status);
                batch.Add(record);
                var group = (key, UsageWindow.Month.StartOf(minute));
                var sum = expected.GetValueOrDefault(group);
                expected[group] = (sum.Requests + record.Requests, sum.Errors + record.Errors, sum.Input + record.InputTokens, sum.Output + record.OutputTokens, sum.Cost + record.Cost, sum.Unpriced + (status == UsageCostStatus.Unpriced ? record.Requests : 0));
            }

            await store.AppendAsync(batch);
        }

        var appended = stopwatch.Elapsed;
        stopwatch.Restart();
        var months = await store.AggregateAsync(new UsageAggregateQuery { From = start, To = start + Duration.FromDays(400), Granularity = UsageWindow.Month });
        var aggregated = stopwatch.Elapsed;

        months.Select(m => (m.Key, m.WindowStart, (m.Requests, m.Errors, m.InputTokens, m.OutputTokens, m.Cost, m.UnpricedRequests)))
            .Should().BeEquivalentTo(expected.Select(e => (e.Key.Item1, e.Key.Item2, e.Value)));
        months.Should().HaveCount(keys.Length * 6);
        months.Sum(m => m.Requests).Should().Be(Enumerable.Range(0, Total).Sum(i => 1L + (i % 3)));
        Console.WriteLine($"{GetType().Name}: appended {Total:N0} records in {appended.TotalSeconds:F1} s, aggregated by month in {aggregated.TotalSeconds:F1} s");
    }

    /// <summary>Creates a new, empty store.</summary>
    /// <returns>The store; disposed after the test if it is disposable.</returns>
    protected abstract IUsageStore CreateStore();

    /// <summary>
    /// Opens a second instance on the same data as <paramref name="store"/>, as a second host instance would (its own
    /// connection pool or file handle); stores that cannot be shared return <paramref name="store"/> itself.
    /// </summary>
    /// <param name="store">A store made by <see cref="CreateStore"/>.</param>
    /// <returns>The second instance.</returns>
    protected virtual IUsageStore CreateSecondInstance(IUsageStore store) => store;

    private static UsageRecord Record(KeyReference key, Instant minute, string? model = "gpt-4o", long requests = 1, long errors = 0, long input = 0, long output = 0, decimal cost = 0m, UsageCostStatus status = UsageCostStatus.Priced)
        => new()
        {
            Key = key,
            Minute = minute,
            VersionId = "kv_1",
            Model = model,
            Requests = requests,
            Errors = errors,
            InputTokens = input,
            OutputTokens = output,
            Cost = cost,
            CostStatus = status,
        };

    private static BudgetReservation Reservation(string budget, decimal amount)
        => new() { Id = Guid.NewGuid(), Budget = budget, WindowStart = T0, Amount = amount, CreatedAt = T0 };

    private IUsageStore NewStore()
    {
        var store = CreateStore();
        _stores.Add(store);
        return store;
    }
}
