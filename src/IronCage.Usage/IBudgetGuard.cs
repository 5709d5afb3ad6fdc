namespace IronCage.Usage;

/// <summary>
/// Holds cost budgets (hard <see cref="UsageMetric.Cost"/> limits) under concurrency and across instances: before a
/// call, reserve its worst-case cost; after it, settle to the real cost.
/// </summary>
public interface IBudgetGuard
{
    /// <summary>Reserves the worst-case cost of a call through <paramref name="key"/>.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="estimate">The call's worst case.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The hold; <see cref="BudgetHold.IsAdmitted"/> is <see langword="false"/> when the call would exceed a budget. A key without a cost limit gets <see cref="BudgetHold.Unlimited"/>.</returns>
    ValueTask<BudgetHold> ReserveAsync(KeyReference key, CostEstimate estimate, CancellationToken cancellationToken = default);

    /// <summary>
    /// Tells whether calls through <paramref name="key"/> need a <see cref="CostEstimate"/> at all. Estimating reads the
    /// request body, so the HTTP handler asks first and, for a key without a budget, neither reads the body nor reserves.
    /// </summary>
    /// <param name="key">The managed key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="true"/> when <see cref="ReserveAsync"/> may hold anything for the key. The default is <see langword="true"/>, so a guard that does not override this is always asked.</returns>
    ValueTask<bool> NeedsEstimateAsync(KeyReference key, CancellationToken cancellationToken = default) => new(true);
}
