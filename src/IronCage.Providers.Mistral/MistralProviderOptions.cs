using IronCage.Providers.Http;

namespace IronCage.Providers.Mistral;

/// <summary>One Mistral connection (an organization and its Admin API key), registered with <c>AddMistral(name, …)</c>.</summary>
public sealed class MistralProviderOptions : ProviderHttpOptions
{
    /// <summary>Initializes the options with Mistral's beta Admin API as <see cref="ProviderHttpOptions.BaseAddress"/> (<see cref="MistralConstants.DefaultBaseAddress"/>).</summary>
    public MistralProviderOptions()
        : base(MistralConstants.DefaultBaseAddress)
    {
    }

    /// <summary>
    /// Gets or sets the Admin API key (created in the enterprise Backoffice; a normal API key never grants admin access),
    /// sent in the <c>x-api-key</c> header. Read it from a secret store or configuration; IronCage never logs it or puts it in a message.
    /// </summary>
    /// <value>No default: a missing admin key stops start-up with an <c>OptionsValidationException</c> naming the configuration key.</value>
    public string? AdminKey { get; set; }

    /// <summary>Gets or sets the inference API address keys are verified against with <c>GET models</c>.</summary>
    /// <value>Defaults to <see cref="MistralConstants.DefaultInferenceAddress"/>.</value>
    public Uri InferenceAddress { get; set; } = MistralConstants.DefaultInferenceAddress;
}
