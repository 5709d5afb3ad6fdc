namespace IronCage.Providers.Http;

/// <summary>
/// The connection and resilience settings every provider connection has, with the same names in every provider
/// package: each <c>&lt;Name&gt;ProviderOptions</c> derives from it, so a configuration section binds the same keys
/// (<c>BaseAddress</c>, <c>Timeout</c>, <c>MaxRetries</c>, <c>RetryDelay</c>, <c>CircuitBreakDuration</c>) everywhere,
/// and a custom adapter's options get the same pipeline by deriving from it too.
/// </summary>
/// <remarks>
/// The settings feed the pipeline IronCage puts on the package's <see cref="HttpClient"/>
/// (<see cref="ProviderHttpConstants.PipelineName"/>): a retry of transient failures of calls that are safe to repeat,
/// a circuit breaker per connection and a timeout per attempt. They are validated when the host starts.
/// </remarks>
public abstract class ProviderHttpOptions
{
    /// <summary>Initializes the settings with the provider's own API address.</summary>
    /// <param name="defaultBaseAddress">The provider's API address, used unless <see cref="BaseAddress"/> is set.</param>
    protected ProviderHttpOptions(Uri defaultBaseAddress)
    {
        ArgumentNullException.ThrowIfNull(defaultBaseAddress);
        BaseAddress = defaultBaseAddress;
    }

    /// <summary>Gets or sets the address of the provider's management API (another cloud's, a proxy, or the IronCage emulator in tests).</summary>
    /// <value>The default value is the provider's own API, given by each package's <c>&lt;Name&gt;Constants.DefaultBaseAddress</c>.</value>
    /// <remarks>Plain http is accepted only for a loopback address: anything else would send the credential unencrypted.</remarks>
    public Uri BaseAddress { get; set; }

    /// <summary>Gets or sets how long one attempt of a call may take (each retry gets its own).</summary>
    /// <value>The default value is 30 seconds (<see cref="ProviderHttpConstants.DefaultTimeout"/>).</value>
    public TimeSpan Timeout { get; set; } = ProviderHttpConstants.DefaultTimeout;

    /// <summary>
    /// Gets or sets how many times a transient failure (408, 5xx, a network failure, an attempt that timed out) of a call
    /// that is safe to repeat is retried. A call that creates a key is never repeated by the pipeline.
    /// </summary>
    /// <value>The default value is 2 (<see cref="ProviderHttpConstants.DefaultMaxRetries"/>); 0 to 10 are allowed.</value>
    public int MaxRetries { get; set; } = ProviderHttpConstants.DefaultMaxRetries;

    /// <summary>Gets or sets the base delay of the jittered exponential back-off between retries; a provider's <c>Retry-After</c> of up to 30 seconds wins.</summary>
    /// <value>The default value is 1 second (<see cref="ProviderHttpConstants.DefaultRetryDelay"/>).</value>
    public TimeSpan RetryDelay { get; set; } = ProviderHttpConstants.DefaultRetryDelay;

    /// <summary>
    /// Gets or sets how long calls of the connection fail fast (without being sent) after at least half of at least five
    /// calls within 30 seconds failed transiently.
    /// </summary>
    /// <value>The default value is 30 seconds (<see cref="ProviderHttpConstants.DefaultCircuitBreakDuration"/>).</value>
    public TimeSpan CircuitBreakDuration { get; set; } = ProviderHttpConstants.DefaultCircuitBreakDuration;

    /// <summary>
    /// Gets or sets the configuration section the options were bound from, so a start-up error names the configuration
    /// key to set. The <c>Add&lt;Provider&gt;(name, IConfiguration)</c> overloads set it.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ConfigurationPath { get; set; }
}
