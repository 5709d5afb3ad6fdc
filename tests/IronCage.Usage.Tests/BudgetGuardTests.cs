using IronCage.Storage;
using IronCage.Usage;
using NodaTime;

namespace IronCage.Usage.Tests;

public sealed class BudgetGuardTests
{
    private static readonly KeyReference Key = UsageHarness.OpenAI;

    [Fact]
    public async Task ReserveAsync_64ConcurrentCallsAgainstABudgetForTen_AdmitsAtMostTenAndSettlesExactly()
    {
        // gpt-4o: 1,000 input and 1,000 output tokens cost at most 0.0125; a 0.125 budget admits ten such calls.
        await using var usage = await UsageHarness.CreateAsync(managed: (Key, UsageHarness.Limits(new UsageLimit(UsageMetric.Cost, UsageWindow.Day, 0.125m))));
        var estimate = new CostEstimate("gpt-4o", 1_000, 1_000);

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reservations = Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            return await usage.Guard.ReserveAsync(Key, estimate);
        })).ToArray();
        start.SetResult();
        var holds = await Task.WhenAll(reservations);
        var admitted = holds.Where(h => h.IsAdmitted).ToList();

        admitted.Should().HaveCount(10);
        holds.Where(h => !h.IsAdmitted).Should().AllSatisfy(h =>
        {
            h.Denial!.Reason.Should().Be(KeySkipReason.LimitReached);
            h.Denial.Until.Should().Be(Instant.FromUtc(2026, 3, 11, 0, 0));
        });

        var expected = 0m;
        for (var i = 0; i < admitted.Count; i++)
        {
            await admitted[i].SettleAsync(100 * (i + 1), 50 * i);
            await admitted[i].SettleAsync(999_999, 999_999);
            expected += ((100 * (i + 1) * 2.50m) + (50 * i * 10.00m)) / 1_000_000m;
        }

        var committed = await usage.Store.GetCommittedAsync(UsageBudgetGuard.BudgetName(Key, UsageWindow.Day), Instant.FromUtc(2026, 3, 10, 0, 0));
        committed.Should().Be(expected);
        (await usage.Guard.ReserveAsync(Key, estimate)).IsAdmitted.Should().BeTrue("settling freed the unused part of the reservations");
    }

    [Fact]
    public async Task SettleAsync_StoreDown_ThrowsAndCanBeRetried()
    {
        var store = new FlakyUsageStore();
        await using var usage = await UsageHarness.CreateAsync(store: store, managed: (Key, UsageHarness.Limits(new UsageLimit(UsageMetric.Cost, UsageWindow.Day, 1m))));
        var hold = await usage.Guard.ReserveAsync(Key, new CostEstimate("gpt-4o", 1_000, 1_000));
        store.Down = true;

        await FluentActions.Awaiting(() => hold.SettleAsync(400, 0).AsTask()).Should().ThrowAsync<IronCageException>();
        store.Down = false;
        await hold.SettleAsync(400, 0);

        (await store.GetCommittedAsync(UsageBudgetGuard.BudgetName(Key, UsageWindow.Day), Instant.FromUtc(2026, 3, 10, 0, 0))).Should().Be(0.001m);
    }

    [Fact]
    public async Task ReserveAsync_KeyWithoutCostLimit_IsUnlimited()
    {
        await using var usage = await UsageHarness.CreateAsync(managed: (Key, UsageHarness.Limits(new UsageLimit(UsageMetric.Requests, UsageWindow.Day, 5))));

        var hold = await usage.Guard.ReserveAsync(Key, new CostEstimate("unknown-model", 1, 1));

        hold.Should().BeSameAs(BudgetHold.Unlimited);
        (await usage.Guard.ReserveAsync(UsageHarness.Anthropic, new CostEstimate("x", 1, 1))).Should().BeSameAs(BudgetHold.Unlimited);
    }

    [Fact]
    public async Task ReserveAsync_DeniedInALaterWindow_ReleasesTheEarlierReservation()
    {
        await using var usage = await UsageHarness.CreateAsync(managed: (Key, UsageHarness.Limits(
            new UsageLimit(UsageMetric.Cost, UsageWindow.Day, 1m),
            new UsageLimit(UsageMetric.Cost, UsageWindow.Hour, 0.01m))));

        var hold = await usage.Guard.ReserveAsync(Key, new CostEstimate("gpt-4o", 1_000, 1_000));

        hold.IsAdmitted.Should().BeFalse();
        hold.Denial!.Detail.Should().Contain("per Hour");
        (await usage.Store.GetCommittedAsync(UsageBudgetGuard.BudgetName(Key, UsageWindow.Day), Instant.FromUtc(2026, 3, 10, 0, 0))).Should().Be(0m);
    }

    [Fact]
    public async Task ReserveAsync_CallThatMayCostNothingOnASpentBudget_IsRefused()
    {
        // Once committed reaches the limit the key is blocked, even for a call whose worst case prices at 0.
        await using var usage = await UsageHarness.CreateAsync(managed: (Key, UsageHarness.Limits(new UsageLimit(UsageMetric.Cost, UsageWindow.Day, 0.0125m))));
        var hold = await usage.Guard.ReserveAsync(Key, new CostEstimate("gpt-4o", 1_000, 1_000));
        await hold.SettleAsync(1_000, 1_000);

        var free = await usage.Guard.ReserveAsync(Key, new CostEstimate("gpt-4o", 0, 0));

        free.IsAdmitted.Should().BeFalse();
        free.Denial!.Reason.Should().Be(KeySkipReason.LimitReached);
    }

    [Fact]
    public async Task ReserveAsync_ZeroCostCallWithBudgetLeft_IsAdmitted()
    {
        await using var usage = await UsageHarness.CreateAsync(managed: (Key, UsageHarness.Limits(new UsageLimit(UsageMetric.Cost, UsageWindow.Day, 1m))));

        (await usage.Guard.ReserveAsync(Key, new CostEstimate("gpt-4o", 0, 0))).IsAdmitted.Should().BeTrue();
    }
}

public sealed class BudgetGuardAcrossInstancesTests
{
    [Fact]
    public async Task ReserveAsync_TwoInstancesOverOneStore_TogetherAdmitNoMoreThanTheBudget()
    {
        var store = new InMemoryUsageStore();
        var keys = new InMemoryKeyStore();
        var key = UsageHarness.OpenAI;
        await using var a = await UsageHarness.CreateAsync(store: store, keys: keys, managed: (key, UsageHarness.Limits(new UsageLimit(UsageMetric.Cost, UsageWindow.Month, 0.0625m))));
        await using var b = await UsageHarness.CreateAsync(a.Clock, store, keys);
        var estimate = new CostEstimate("gpt-4o", 1_000, 1_000);

        var holds = await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(async () => await (i % 2 == 0 ? a : b).Guard.ReserveAsync(key, estimate))));

        holds.Count(h => h.IsAdmitted).Should().Be(5);
    }
}
