namespace IronCage.Providers.OpenAI;

/// <summary>One OpenAI connection (an organization), registered with <c>AddOpenAI(name, …)</c>.</summary>
public sealed class OpenAIProviderOptions
{
    /// <summary>
    /// Gets or sets the organization's Admin API key (<c>sk-admin-…</c>) that manages keys. Read it from a secret store or
    /// configuration; IronCage never logs it or puts it in a message.
    /// </summary>
    /// <value>No default: a missing admin key stops start-up with an <c>OptionsValidationException</c> naming the configuration key.</value>
    public string? AdminKey { get; set; }

    /// <summary>Gets or sets the API's base address (a proxy, or the IronCage emulator in tests).</summary>
    /// <value>The default value is <c>https://api.openai.com/v1/</c> (<see cref="OpenAIConstants.DefaultBaseAddress"/>).</value>
    public Uri BaseAddress { get; set; } = OpenAIConstants.DefaultBaseAddress;

    /// <summary>Gets or sets how long one attempt of a call may take.</summary>
    /// <value>The default value is 30 seconds (<see cref="OpenAIConstants.DefaultTimeout"/>).</value>
    public TimeSpan Timeout { get; set; } = OpenAIConstants.DefaultTimeout;

    /// <summary>Gets or sets how often a transient failure (5xx, timeout, network) of a call that is safe to repeat is retried.</summary>
    /// <value>The default value is 3.</value>
    /// <remarks>A create is never repeated blindly: after an ambiguous failure the adapter looks the key up by name first.</remarks>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>Gets or sets the base delay of the jittered exponential back-off between retries; a <c>retry-after</c> answer wins.</summary>
    /// <value>The default value is 1 second (<see cref="OpenAIConstants.DefaultRetryDelay"/>).</value>
    public TimeSpan RetryDelay { get; set; } = OpenAIConstants.DefaultRetryDelay;

    /// <summary>Gets or sets how long calls fail fast after most recent calls of the connection failed transiently.</summary>
    /// <value>The default value is 30 seconds (<see cref="OpenAIConstants.DefaultCircuitBreakDuration"/>).</value>
    public TimeSpan CircuitBreakDuration { get; set; } = OpenAIConstants.DefaultCircuitBreakDuration;

    /// <summary>Gets or sets the configuration section the options were bound from, so a start-up error names the key to set.</summary>
    internal string? ConfigurationPath { get; set; }

    internal IronCage.Internal.ProviderResilienceSettings Resilience => new(Timeout, MaxRetryAttempts, RetryDelay, CircuitBreakDuration);
}
