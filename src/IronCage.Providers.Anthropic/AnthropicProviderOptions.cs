namespace IronCage.Providers.Anthropic;

/// <summary>One Anthropic connection (an organization), registered with <c>AddAnthropic(name, …)</c>.</summary>
public sealed class AnthropicProviderOptions
{
    /// <summary>
    /// Gets or sets the organization's Admin API key (<c>sk-ant-admin01-…</c>), sent as <c>x-api-key</c>. Read it from a
    /// secret store or configuration; IronCage never logs it or puts it in a message.
    /// </summary>
    /// <value>No default: a missing admin key stops start-up with an <c>OptionsValidationException</c> naming the configuration key.</value>
    public string? AdminKey { get; set; }

    /// <summary>Gets or sets the API's base address (a proxy, or the IronCage emulator in tests).</summary>
    /// <value>The default value is <c>https://api.anthropic.com/</c> (<see cref="AnthropicConstants.DefaultBaseAddress"/>).</value>
    public Uri BaseAddress { get; set; } = AnthropicConstants.DefaultBaseAddress;

    /// <summary>Gets or sets a value indicating whether a retired key is archived (permanent) rather than set to <c>inactive</c> (reversible in the Console).</summary>
    /// <value>The default value is <see langword="false"/>: retired keys become <c>inactive</c>.</value>
    public bool ArchiveOnDeactivate { get; set; }

    /// <summary>Gets or sets how long one attempt of a call may take.</summary>
    /// <value>The default value is 30 seconds (<see cref="AnthropicConstants.DefaultTimeout"/>).</value>
    public TimeSpan Timeout { get; set; } = AnthropicConstants.DefaultTimeout;

    /// <summary>Gets or sets how often a transient failure (5xx, 529 overloaded, timeout, network) is retried.</summary>
    /// <value>The default value is 3.</value>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>Gets or sets the base delay of the jittered exponential back-off between retries; a <c>retry-after</c> answer wins.</summary>
    /// <value>The default value is 1 second (<see cref="AnthropicConstants.DefaultRetryDelay"/>).</value>
    public TimeSpan RetryDelay { get; set; } = AnthropicConstants.DefaultRetryDelay;

    /// <summary>Gets or sets how long calls fail fast after most recent calls of the connection failed transiently.</summary>
    /// <value>The default value is 30 seconds (<see cref="AnthropicConstants.DefaultCircuitBreakDuration"/>).</value>
    public TimeSpan CircuitBreakDuration { get; set; } = AnthropicConstants.DefaultCircuitBreakDuration;

    /// <summary>Gets or sets the configuration section the options were bound from, so a start-up error names the key to set.</summary>
    internal string? ConfigurationPath { get; set; }

    internal IronCage.Internal.ProviderResilienceSettings Resilience => new(Timeout, MaxRetryAttempts, RetryDelay, CircuitBreakDuration);
}
