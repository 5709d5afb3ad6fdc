using IronCage.Providers.Http;

namespace IronCage.Providers.Anthropic;

/// <summary>One Anthropic connection (an organization), registered with <c>AddAnthropic(name, …)</c>.</summary>
public sealed class AnthropicProviderOptions : ProviderHttpOptions
{
    /// <summary>Initializes the options with Anthropic's own API as <see cref="ProviderHttpOptions.BaseAddress"/> (<see cref="AnthropicConstants.DefaultBaseAddress"/>).</summary>
    public AnthropicProviderOptions()
        : base(AnthropicConstants.DefaultBaseAddress)
    {
    }

    /// <summary>
    /// Gets or sets the organization's Admin API key (<c>sk-ant-admin01-…</c>), sent as <c>x-api-key</c>. Read it from a
    /// secret store or configuration; IronCage never logs it or puts it in a message.
    /// </summary>
    /// <value>No default: a missing admin key stops start-up with an <c>OptionsValidationException</c> naming the configuration key.</value>
    public string? AdminKey { get; set; }

    /// <summary>Gets or sets a value indicating whether a retired key is archived (permanent) rather than set to <c>inactive</c> (reversible in the Console).</summary>
    /// <value>The default value is <see langword="false"/>: retired keys become <c>inactive</c>.</value>
    public bool ArchiveOnDeactivate { get; set; }
}
