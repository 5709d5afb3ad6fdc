namespace IronCage.Usage;

/// <summary>Takes usage from the runtime path: lock-free and allocation-free per call, flushed to the <see cref="IUsageStore"/> in batches.</summary>
public interface IUsageRecorder
{
    /// <summary>Records one call. Never blocks and never throws for a full buffer (the oldest unflushed data is counted as dropped and reported).</summary>
    /// <param name="sample">The call.</param>
    void Record(in UsageSample sample);

    /// <summary>Writes everything recorded so far to the store.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the recorded usage is durable.</returns>
    Task FlushAsync(CancellationToken cancellationToken = default);
}
