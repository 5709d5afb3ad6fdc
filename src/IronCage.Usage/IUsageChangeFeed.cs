namespace IronCage.Usage;

/// <summary>
/// Tells usage tracking that another instance sharing the <see cref="IUsageStore"/> appended usage, so the live
/// counters (the <see cref="IUsageGate"/>, budgets' fast path, alerts and <see cref="IUsageQuery.GetCurrentUsageAsync"/>)
/// re-read the recent minutes at once instead of waiting for <see cref="UsageTrackingOptions.RefreshInterval"/>.
/// </summary>
/// <remarks>
/// The PostgreSQL store announces every committed flush with <c>NOTIFY</c>; the SQLite store polls its file cheaply
/// (several processes may share it); the in-memory store needs no feed (one process). A feed is at most once: usage
/// tracking still re-reads everything every <see cref="UsageTrackingOptions.RefreshInterval"/> as a safety net.
/// </remarks>
public interface IUsageChangeFeed
{
    /// <summary>Raised after usage was appended to the store. Handlers must be quick and must not throw.</summary>
    event EventHandler<UsageChangedEventArgs>? UsageChanged;
}
