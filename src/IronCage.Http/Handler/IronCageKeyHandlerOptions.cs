namespace IronCage.Http;

/// <summary>
/// Options of the handlers added with <c>AddIronCageKey</c> (the key handler and the usage handler), per named HttpClient.
/// There is no retry setting: transient failures are retried by <c>AddStandardResilienceHandler</c> placed before
/// <c>AddIronCageKey</c> (docs/runtime.md).
/// </summary>
public sealed class IronCageKeyHandlerOptions
{
    /// <summary>Gets or sets a value indicating whether the handler replaces a key the caller put on the request itself. When <see langword="false"/>, such a request is sent as the caller built it, without failover or usage capture.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool OverwriteCallerCredentials { get; set; }

    /// <summary>Gets or sets how long a key cools down after a 429 that carries no <c>retry-after</c>.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan RateLimitCoolDown { get; set; } = IronCageHttpConstants.DefaultRateLimitCoolDown;

    /// <summary>Gets or sets how long a key is disabled after its provider says its quota is exhausted, when the provider does not say when it resets.</summary>
    /// <value>The default value is 1 hour.</value>
    public TimeSpan QuotaCoolDown { get; set; } = IronCageHttpConstants.DefaultQuotaCoolDown;

    /// <summary>Gets or sets a value indicating whether token usage is read from responses and recorded (needs <c>AddUsageTracking</c>).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool CaptureUsage { get; set; } = true;

    /// <summary>Gets or sets the largest JSON body read for usage: a response body larger than this is passed through and recorded without tokens, and a request body larger than this is estimated from its length alone when a budget needs its worst case.</summary>
    /// <value>The default value is 4 MiB.</value>
    public int MaxUsageBodyBytes { get; set; } = IronCageHttpConstants.DefaultMaxUsageBodyBytes;

    /// <summary>Gets or sets the output cap assumed for a request that sets none, when a budget or token rate limit needs the worst case.</summary>
    /// <value>The default value is 4,096.</value>
    public int DefaultMaxOutputTokens { get; set; } = IronCageHttpConstants.DefaultMaxOutputTokens;
}
