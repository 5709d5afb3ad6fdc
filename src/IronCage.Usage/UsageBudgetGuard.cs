using System.Globalization;
using Microsoft.Extensions.Logging;
using NodaTime;

using IronCage.Usage.Pricing;

namespace IronCage.Usage;

/// <summary>
/// Holds hard cost limits: reserves a call's worst-case cost in every cost-limited window through the store (atomic
/// across instances), and settles each reservation to the real cost after the call.
/// </summary>
internal sealed class UsageBudgetGuard : IBudgetGuard
{
    private readonly UsageRecorder _recorder;
    private readonly IUsageStore _store;
    private readonly ILogger _logger;

    public UsageBudgetGuard(UsageRecorder recorder, IUsageStore store, ILogger<UsageBudgetGuard> logger)
    {
        _recorder = recorder;
        _store = store;
        _logger = logger;
    }

    /// <summary>Gets the budget name of a key's cost limit per window: <c>provider/name:Window</c>.</summary>
    public static string BudgetName(KeyReference key, UsageWindow window) => string.Create(CultureInfo.InvariantCulture, $"{key}:{window}");

    /// <inheritdoc />
    public ValueTask<bool> NeedsEstimateAsync(KeyReference key, CancellationToken cancellationToken = default)
        => _recorder.TryGetLimits(key) is { } limits ? new ValueTask<bool>(limits.HardCost.Length != 0) : NeedsEstimateSlowAsync(key, cancellationToken);

    /// <inheritdoc />
    public ValueTask<BudgetHold> ReserveAsync(KeyReference key, CostEstimate estimate, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(estimate.InputTokens, nameof(estimate));
        ArgumentOutOfRangeException.ThrowIfNegative(estimate.MaxOutputTokens, nameof(estimate));
        if (_recorder.TryGetLimits(key) is { } limits && limits.HardCost.Length == 0)
        {
            return new ValueTask<BudgetHold>(BudgetHold.Unlimited);
        }

        return ReserveSlowAsync(key, estimate, cancellationToken);
    }

    private async ValueTask<bool> NeedsEstimateSlowAsync(KeyReference key, CancellationToken cancellationToken)
        => (await _recorder.GetLimitsAsync(key, cancellationToken).ConfigureAwait(false)).HardCost.Length != 0;

    private async ValueTask<BudgetHold> ReserveSlowAsync(KeyReference key, CostEstimate estimate, CancellationToken cancellationToken)
    {
        var limits = await _recorder.GetLimitsAsync(key, cancellationToken).ConfigureAwait(false);
        if (limits.HardCost.Length == 0)
        {
            return BudgetHold.Unlimited;
        }

        var now = _recorder.Clock.GetCurrentInstant();
        var pricing = _recorder.Pricing;
        var price = pricing.Resolve(key.Provider, estimate.Model, now);
        if (price.Status == UsageCostStatus.Unpriced)
        {
            if (pricing.Options.UnpricedModelPolicy == UnpricedModelPolicy.RecordUnpriced)
            {
                return BudgetHold.Unlimited;
            }

            var model = estimate.Model ?? "(none)";
            var detail = $"Model '{model}' of {key.Provider} has no price in price catalog {pricing.Catalog.Version}, so its cost cannot be held within the cost budget of {key}. Add a ModelPrice for it to UsageTrackingOptions.Prices, or set UsageTrackingOptions.UnpricedModelPolicy to UseFallbackRate with a fallback rate.";
            Log.BudgetDenied(_logger, key, model, detail);
            return new DeniedHold(new KeySkip(key, KeySkipReason.LimitReached, detail));
        }

        var worstCase = price.CostOf(estimate.InputTokens, estimate.MaxOutputTokens);
        var reserved = new List<Guid>(limits.HardCost.Length);
        try
        {
            foreach (var limit in limits.HardCost)
            {
                var (start, end) = UsageWindows.Bounds(limit.Window, now);
                var reservation = new BudgetReservation
                {
                    Id = Guid.NewGuid(),
                    Budget = BudgetName(key, limit.Window),
                    WindowStart = start,
                    Amount = worstCase,
                    CreatedAt = now,
                };

                var result = await ReserveWindowAsync(reservation, limit.Limit, cancellationToken).ConfigureAwait(false);
                if (!result.Admitted)
                {
                    await ReleaseAsync(reserved).ConfigureAwait(false);
                    reserved.Clear();
                    var detail = string.Create(CultureInfo.InvariantCulture, $"Cost budget of {limit} for {key}: {result.Committed} {pricing.Catalog.Currency} committed, and this call of '{estimate.Model}' may cost up to {worstCase}; the budget resets at {end}.");
                    Log.BudgetDenied(_logger, key, estimate.Model ?? "(none)", detail);
                    return new DeniedHold(new KeySkip(key, KeySkipReason.LimitReached, detail, end));
                }

                reserved.Add(reservation.Id);
            }
        }
        catch
        {
            // Cancelled or failed between two windows' reservations: the ones already made are released, not left
            // to hold budget until their window ends.
            await ReleaseAsync(reserved).ConfigureAwait(false);
            throw;
        }

        return new ReservedHold(_store, price, reserved, worstCase, key, _logger);
    }

    // A call that may cost nothing would still be admitted by "committed + amount <= limit" once the limit is
    // reached; a spent budget blocks the key for every call.
    private async Task<BudgetReservationResult> ReserveWindowAsync(BudgetReservation reservation, decimal limit, CancellationToken cancellationToken)
    {
        if (reservation.Amount == 0m)
        {
            var spent = await _store.GetCommittedAsync(reservation.Budget, reservation.WindowStart, cancellationToken).ConfigureAwait(false);
            if (spent >= limit)
            {
                return new BudgetReservationResult(false, spent);
            }
        }

        return await _store.TryReserveAsync(reservation, limit, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask ReleaseAsync(List<Guid> reserved)
    {
        foreach (var id in reserved)
        {
            try
            {
                await _store.SettleAsync(id, 0m, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is IronCageException or InvalidOperationException)
            {
                Log.BudgetReleaseFailed(_logger, exception.GetType().Name);
            }
        }
    }

    private sealed class DeniedHold(KeySkip denial) : BudgetHold
    {
        public override bool IsAdmitted => false;

        public override KeySkip? Denial => denial;

        public override ValueTask SettleAsync(long inputTokens, long outputTokens, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }

    private sealed class ReservedHold(IUsageStore store, PriceResolution price, List<Guid> reservations, decimal reservedAmount, KeyReference key, ILogger logger) : BudgetHold
    {
        private int _settled;

        public override bool IsAdmitted => true;

        public override KeySkip? Denial => null;

        public override async ValueTask SettleAsync(long inputTokens, long outputTokens, CancellationToken cancellationToken = default)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(inputTokens);
            ArgumentOutOfRangeException.ThrowIfNegative(outputTokens);
            if (Interlocked.Exchange(ref _settled, 1) != 0)
            {
                return;
            }

            var actual = price.CostOf(inputTokens, outputTokens);
            if (actual > reservedAmount)
            {
                // The provider counted more than the worst case held for the call: this excess is the only way a
                // budget is overshot, so it is said out loud with what to change.
                Log.BudgetOvershot(logger, key, reservedAmount, actual);
            }

            try
            {
                // The store settles each reservation once, so a retry after a failure settles only what is still open.
                foreach (var id in reservations)
                {
                    await store.SettleAsync(id, actual, cancellationToken).ConfigureAwait(false);
                }
            }
            catch
            {
                Volatile.Write(ref _settled, 0);
                throw;
            }
        }
    }
}
