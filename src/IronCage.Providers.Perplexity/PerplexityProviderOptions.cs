using IronCage.Providers.Http;

namespace IronCage.Providers.Perplexity;

/// <summary>One Perplexity connection (an API group and an existing key of it), registered with <c>AddPerplexity(name, …)</c>.</summary>
public sealed class PerplexityProviderOptions : ProviderHttpOptions
{
    /// <summary>Initializes the options with Perplexity's API as <see cref="ProviderHttpOptions.BaseAddress"/> (<see cref="PerplexityConstants.DefaultBaseAddress"/>).</summary>
    public PerplexityProviderOptions()
        : base(PerplexityConstants.DefaultBaseAddress)
    {
    }

    /// <summary>
    /// Gets or sets an existing API key of the API group (created in the console first) that authenticates
    /// <c>generate_auth_token</c> and <c>revoke_auth_token</c> as a bearer token. Keep it out of rotation (a key that
    /// revokes itself locks the connection out). Read it from a secret store or configuration; IronCage never logs it or puts it in a message.
    /// </summary>
    /// <value>No default: a missing key stops start-up with an <c>OptionsValidationException</c> naming the configuration key.</value>
    public string? ManagementKey { get; set; }
}
