namespace IronCage.Http;

/// <summary>Options of the <see cref="IKeyResolver"/>: cache refresh, pools and client-side rate limits.</summary>
public sealed class KeyResolverOptions
{
    /// <summary>Gets or sets how long a cached key is served before it is read again from the store in the background (a safety net for stores without a change feed of other processes' writes; changes seen by the feed apply at once).</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan RefreshInterval { get; set; } = IronCageHttpConstants.DefaultRefreshInterval;

    /// <summary>Gets or sets how long a replaced secret stays readable for requests still holding it before it is disposed.</summary>
    /// <value>The default value is 2 minutes.</value>
    public TimeSpan RetiredSecretLifetime { get; set; } = IronCageHttpConstants.DefaultRetiredSecretLifetime;

    /// <summary>Gets the pools, by name.</summary>
    public IDictionary<string, KeyPoolOptions> Pools { get; } = new Dictionary<string, KeyPoolOptions>(StringComparer.Ordinal);

    /// <summary>Gets the client-side rate limits, by managed key.</summary>
    public IDictionary<KeyReference, ClientRateLimit> RateLimits { get; } = new Dictionary<KeyReference, ClientRateLimit>();
}
