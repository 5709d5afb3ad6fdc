namespace IronCage.Http;

/// <summary>Defaults of the runtime path.</summary>
public static class IronCageHttpConstants
{
    /// <summary>The default <see cref="KeyResolverOptions.RefreshInterval"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultRefreshInterval = TimeSpan.FromSeconds(30);

    /// <summary>The default <see cref="KeyResolverOptions.RetiredSecretLifetime"/>: 2 minutes.</summary>
    public static readonly TimeSpan DefaultRetiredSecretLifetime = TimeSpan.FromMinutes(2);

    /// <summary>The default <see cref="IronCageKeyHandlerOptions.QuotaCoolDown"/>: 1 hour.</summary>
    public static readonly TimeSpan DefaultQuotaCoolDown = TimeSpan.FromHours(1);

    /// <summary>The default <see cref="IronCageKeyHandlerOptions.RateLimitCoolDown"/>: 10 seconds.</summary>
    public static readonly TimeSpan DefaultRateLimitCoolDown = TimeSpan.FromSeconds(10);

    /// <summary>The default <see cref="IronCageKeyHandlerOptions.MaxUsageBodyBytes"/>: 4 MiB.</summary>
    public const int DefaultMaxUsageBodyBytes = 4 * 1024 * 1024;

    /// <summary>The default <see cref="IronCageKeyHandlerOptions.DefaultMaxOutputTokens"/>: 4,096.</summary>
    public const int DefaultMaxOutputTokens = 4096;

    /// <summary>The largest SDK request body (1 MiB) that <see cref="IronCageSdk.CreateIronCageTransport"/> copies so the key handler may send it again (pool failover, a refreshed key after a 401) and a budget can read it.</summary>
    public const int SdkReplayableBodyBytes = 1024 * 1024;
}
