namespace IronCage.Providers.OpenRouter;

/// <summary>One OpenRouter connection (an account and its management key), registered with <c>AddOpenRouter(name, …)</c>.</summary>
public sealed class OpenRouterProviderOptions
{
    /// <summary>
    /// Gets or sets the management key (formerly "provisioning key") that creates and manages keys, sent as a bearer
    /// token. Read it from a secret store or configuration; IronCage never logs it or puts it in a message.
    /// </summary>
    /// <value>No default: a missing management key stops start-up with an <c>OptionsValidationException</c> naming the configuration key.</value>
    public string? ManagementKey { get; set; }

    /// <summary>Gets or sets the API's base address (a proxy, or the IronCage emulator in tests).</summary>
    /// <value>The default value is <c>https://openrouter.ai/api/v1/</c> (<see cref="OpenRouterConstants.DefaultBaseAddress"/>).</value>
    public Uri BaseAddress { get; set; } = OpenRouterConstants.DefaultBaseAddress;

    /// <summary>Gets or sets how long one attempt of a call may take.</summary>
    /// <value>The default value is 30 seconds (<see cref="OpenRouterConstants.DefaultTimeout"/>).</value>
    public TimeSpan Timeout { get; set; } = OpenRouterConstants.DefaultTimeout;

    /// <summary>Gets or sets how often a transient failure (5xx, timeout, network) of a call that is safe to repeat is retried.</summary>
    /// <value>The default value is 3.</value>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>Gets or sets the base delay of the jittered exponential back-off between retries; a <c>retry-after</c> answer wins.</summary>
    /// <value>The default value is 1 second (<see cref="OpenRouterConstants.DefaultRetryDelay"/>).</value>
    public TimeSpan RetryDelay { get; set; } = OpenRouterConstants.DefaultRetryDelay;

    /// <summary>Gets or sets how long calls fail fast after most recent calls of the connection failed transiently.</summary>
    /// <value>The default value is 30 seconds (<see cref="OpenRouterConstants.DefaultCircuitBreakDuration"/>).</value>
    public TimeSpan CircuitBreakDuration { get; set; } = OpenRouterConstants.DefaultCircuitBreakDuration;

    /// <summary>Gets or sets the configuration section the options were bound from, so a start-up error names the key to set.</summary>
    internal string? ConfigurationPath { get; set; }

    internal IronCage.Internal.ProviderResilienceSettings Resilience => new(Timeout, MaxRetryAttempts, RetryDelay, CircuitBreakDuration);
}
