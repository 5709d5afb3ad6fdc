using IronCage.Providers.Http;

namespace IronCage.Providers.OpenAI;

/// <summary>One OpenAI connection (an organization), registered with <c>AddOpenAI(name, …)</c>.</summary>
public sealed class OpenAIProviderOptions : ProviderHttpOptions
{
    /// <summary>Initializes the options with OpenAI's own API as <see cref="ProviderHttpOptions.BaseAddress"/> (<see cref="OpenAIConstants.DefaultBaseAddress"/>).</summary>
    public OpenAIProviderOptions()
        : base(OpenAIConstants.DefaultBaseAddress)
    {
    }

    /// <summary>
    /// Gets or sets the organization's Admin API key (<c>sk-admin-…</c>) that manages keys. Read it from a secret store or
    /// configuration; IronCage never logs it or puts it in a message.
    /// </summary>
    /// <value>No default: a missing admin key stops start-up with an <c>OptionsValidationException</c> naming the configuration key.</value>
    public string? AdminKey { get; set; }
}
