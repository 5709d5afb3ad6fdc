using IronCage.Providers.Http;

namespace IronCage.Providers.OpenRouter;

/// <summary>One OpenRouter connection (an account and its management key), registered with <c>AddOpenRouter(name, …)</c>.</summary>
public sealed class OpenRouterProviderOptions : ProviderHttpOptions
{
    /// <summary>Initializes the options with OpenRouter's own API as <see cref="ProviderHttpOptions.BaseAddress"/> (<see cref="OpenRouterConstants.DefaultBaseAddress"/>).</summary>
    public OpenRouterProviderOptions()
        : base(OpenRouterConstants.DefaultBaseAddress)
    {
    }

    /// <summary>
    /// Gets or sets the management key (formerly "provisioning key") that creates and manages keys, sent as a bearer
    /// token. Read it from a secret store or configuration; IronCage never logs it or puts it in a message.
    /// </summary>
    /// <value>No default: a missing management key stops start-up with an <c>OptionsValidationException</c> naming the configuration key.</value>
    public string? ManagementKey { get; set; }
}
