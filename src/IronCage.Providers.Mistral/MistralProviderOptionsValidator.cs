using IronCage.Providers.Http;
using Microsoft.Extensions.Options;

namespace IronCage.Providers.Mistral;

/// <summary>
/// Checks each Mistral connection's AdminKey and InferenceAddress at start, so a missing key stops start-up with a message saying where to set it;
/// the shared settings are checked by <see cref="ProviderHttpOptionsValidator{TOptions}"/>.
/// </summary>
internal sealed class MistralProviderOptionsValidator : IValidateOptions<MistralProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, MistralProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        ProviderOptionsChecks.CheckCredential(failures, $"{nameof(MistralProviderOptions)} of connection '{name}'", options.AdminKey, nameof(MistralProviderOptions.AdminKey), "AddMistral", name, options.ConfigurationPath);
        if (options.InferenceAddress is not { IsAbsoluteUri: true } address || (address.Scheme != Uri.UriSchemeHttps && !address.IsLoopback))
        {
            failures.Add($"{nameof(MistralProviderOptions)}.{nameof(MistralProviderOptions.InferenceAddress)} of connection '{name}' must be an absolute https address (or http on loopback for an emulator); leave it unset for {MistralConstants.DefaultInferenceAddress}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
