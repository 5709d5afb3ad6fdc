namespace IronCage.Providers.Http;

/// <summary>The defaults and fixed limits of the provider plumbing, the same for every provider package.</summary>
public static class ProviderHttpConstants
{
    /// <summary>The default number of retries of a transient failure of a call that is safe to repeat: 2.</summary>
    public const int DefaultMaxRetries = 2;

    /// <summary>The most retries a connection may be configured with: 10.</summary>
    public const int MaxMaxRetries = 10;

    /// <summary>The most bytes of an answer that are read: 4 MiB. A longer body is cut off there.</summary>
    public const int MaxResponseBytes = 4 << 20;

    /// <summary>The name of the resilience pipeline IronCage adds to each provider package's <see cref="HttpClient"/>.</summary>
    public const string PipelineName = "IronCage.Provider";

    /// <summary>Gets the default time one attempt of a call may take: 30 seconds.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the default base delay of the jittered exponential back-off between retries: 1 second.</summary>
    public static TimeSpan DefaultRetryDelay { get; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the default time the circuit of a connection stays open: 30 seconds.</summary>
    public static TimeSpan DefaultCircuitBreakDuration { get; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets the longest <c>Retry-After</c> the pipeline waits out itself: 30 seconds. A provider asking for longer gets
    /// its answer back to the caller at once (the rotation engine reschedules with it).
    /// </summary>
    public static TimeSpan MaxHonouredRetryAfter { get; } = TimeSpan.FromSeconds(30);
}
