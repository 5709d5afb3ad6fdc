using IronCage.Usage.Pricing;

namespace IronCage.Usage;

/// <summary>Configures usage tracking (<c>AddUsageTracking</c>): flushing, prices, and alerts. Validated at start.</summary>
public sealed class UsageTrackingOptions
{
    /// <summary>
    /// Gets or sets how often recorded usage is written to the <see cref="IUsageStore"/> (one batch per interval, however
    /// many calls it holds) and alerts are evaluated. With a store that announces flushes (PostgreSQL, SQLite), another
    /// instance's gate and current-usage queries see this instance's usage about this interval after it was recorded.
    /// </summary>
    /// <value>The default value is 250 milliseconds.</value>
    public TimeSpan FlushInterval { get; set; } = UsageTrackingConstants.DefaultFlushInterval;

    /// <summary>
    /// Gets or sets how often everything is re-read as a safety net under the change feeds: every key's limits from the
    /// key store (the key change feed reloads a changed key's limits at once) and other instances' usage of the current
    /// windows from the store's aggregates (a usage change feed reads each announced flush at once). Without a usage
    /// change feed, another instance's usage reaches this instance's gate, alerts and current-usage queries at most its
    /// <see cref="FlushInterval"/> plus this interval late; budgets (reservations in the store) have no such lag.
    /// </summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan RefreshInterval { get; set; } = UsageTrackingConstants.DefaultRefreshInterval;

    /// <summary>
    /// Gets or sets the most pre-aggregated records (one per key, version, model and minute) kept while the store is
    /// unreachable. Past it, the oldest minutes are dropped, counted and logged.
    /// </summary>
    /// <value>The default value is 100,000.</value>
    public int MaxPendingRecords { get; set; } = UsageTrackingConstants.DefaultMaxPendingRecords;

    /// <summary>Gets or sets what happens to calls of a model without a price.</summary>
    /// <value>The default value is <see cref="UnpricedModelPolicy.Block"/>.</value>
    public UnpricedModelPolicy UnpricedModelPolicy { get; set; } = UnpricedModelPolicy.Block;

    /// <summary>Gets or sets the input price per million tokens used for models without a price under <see cref="UnpricedModelPolicy.UseFallbackRate"/>.</summary>
    /// <value>The default value is <see langword="null"/> (required by that policy).</value>
    public decimal? FallbackInputPerMillion { get; set; }

    /// <summary>Gets or sets the output price per million tokens used for models without a price under <see cref="UnpricedModelPolicy.UseFallbackRate"/>.</summary>
    /// <value>The default value is <see langword="null"/> (required by that policy).</value>
    public decimal? FallbackOutputPerMillion { get; set; }

    /// <summary>Gets or sets a value indicating whether the reference prices of <see cref="PriceCatalog.BuiltIn"/> are used under <see cref="Prices"/>.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool UseBuiltInPrices { get; set; } = true;

    /// <summary>
    /// Gets the host's prices (contract prices, more models, price changes from an effective date). For the same provider,
    /// model and effective date they win over the built-in entries.
    /// </summary>
    public IList<ModelPrice> Prices { get; } = [];

    /// <summary>Gets or sets the error rate (errors divided by requests within one UTC minute) that raises an error-spike alert.</summary>
    /// <value>The default value is 0.5.</value>
    public double ErrorSpikeThreshold { get; set; } = UsageTrackingConstants.DefaultErrorSpikeThreshold;

    /// <summary>Gets or sets the fewest requests in a minute before its error rate is considered.</summary>
    /// <value>The default value is 20.</value>
    public int ErrorSpikeMinimumRequests { get; set; } = UsageTrackingConstants.DefaultErrorSpikeMinimumRequests;

    /// <summary>Gets or sets the cost per UTC hour of one key above which a spend-velocity alert is raised; <see langword="null"/> turns that check off.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public decimal? SpendVelocityPerHour { get; set; }

    /// <summary>
    /// Gets or sets the fraction of a cost limit's window that must have passed before the window's cost is projected to its
    /// end (linear extrapolation) for a projected-over-limit alert; earlier projections are too noisy.
    /// </summary>
    /// <value>The default value is 0.1.</value>
    public double ProjectionMinimumElapsed { get; set; } = UsageTrackingConstants.DefaultProjectionMinimumElapsed;
}
