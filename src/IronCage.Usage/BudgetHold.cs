namespace IronCage.Usage;

/// <summary>A reservation made by <see cref="IBudgetGuard.ReserveAsync"/>, to settle once the call's real usage is known.</summary>
public abstract class BudgetHold
{
    /// <summary>Gets a hold for a key without a cost budget: always admitted, settling does nothing.</summary>
    public static BudgetHold Unlimited { get; } = new UnlimitedHold();

    /// <summary>Gets a value indicating whether the call may go ahead.</summary>
    public abstract bool IsAdmitted { get; }

    /// <summary>Gets why the call was refused, when it was.</summary>
    public abstract KeySkip? Denial { get; }

    /// <summary>Settles the hold to the call's real usage (tokens are priced like recorded usage); a refused or already settled hold does nothing.</summary>
    /// <param name="inputTokens">The real input tokens (0 if the call failed before the provider counted any).</param>
    /// <param name="outputTokens">The real output tokens.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the settlement is stored.</returns>
    public abstract ValueTask SettleAsync(long inputTokens, long outputTokens, CancellationToken cancellationToken = default);

    private sealed class UnlimitedHold : BudgetHold
    {
        public override bool IsAdmitted => true;

        public override KeySkip? Denial => null;

        public override ValueTask SettleAsync(long inputTokens, long outputTokens, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
