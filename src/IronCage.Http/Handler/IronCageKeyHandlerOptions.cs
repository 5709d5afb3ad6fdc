namespace IronCage;

/// <summary>Options of the handler added with <c>AddIronCageKey</c>, per named HttpClient.</summary>
public sealed class IronCageKeyHandlerOptions
{
    /// <summary>Gets or sets a value indicating whether the handler replaces a key the caller put on the request itself. When <see langword="false"/>, such a request is sent as the caller built it, without failover or usage capture.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool OverwriteCallerCredentials { get; set; }

    /// <summary>Gets or sets how many times a transient failure (5xx, 408, a dropped connection) is retried on the same key, with jittered exponential back-off that honours <c>retry-after</c>. Requests whose content cannot be sent twice are never retried.</summary>
    /// <value>The default value is 2.</value>
    public int MaxTransientRetries { get; set; } = IronCageHttpConstants.DefaultMaxTransientRetries;

    /// <summary>Gets or sets the first back-off delay of transient retries.</summary>
    /// <value>The default value is 500 milliseconds.</value>
    public TimeSpan TransientRetryDelay { get; set; } = IronCageHttpConstants.DefaultTransientRetryDelay;

    /// <summary>Gets or sets how long a key cools down after a 429 that carries no <c>retry-after</c>.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan RateLimitCoolDown { get; set; } = IronCageHttpConstants.DefaultRateLimitCoolDown;

    /// <summary>Gets or sets how long a key is disabled after its provider says its quota is exhausted, when the provider does not say when it resets.</summary>
    /// <value>The default value is 1 hour.</value>
    public TimeSpan QuotaCoolDown { get; set; } = IronCageHttpConstants.DefaultQuotaCoolDown;

    /// <summary>Gets or sets a value indicating whether token usage is read from responses and recorded (needs <c>AddUsageTracking</c>).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool CaptureUsage { get; set; } = true;

    /// <summary>Gets or sets the largest JSON response body kept to read its usage; a larger body is passed through and recorded without tokens.</summary>
    /// <value>The default value is 4 MiB.</value>
    public int MaxUsageBodyBytes { get; set; } = IronCageHttpConstants.DefaultMaxUsageBodyBytes;

    /// <summary>Gets or sets the output cap assumed for a request that sets none, when a budget or token rate limit needs the worst case.</summary>
    /// <value>The default value is 4,096.</value>
    public int DefaultMaxOutputTokens { get; set; } = IronCageHttpConstants.DefaultMaxOutputTokens;
}
