using IronCage.Providers.Http;
using Microsoft.Extensions.Options;

namespace IronCage.Providers.OpenRouter;

/// <summary>
/// Checks each OpenRouter connection's ManagementKey at start, so a missing key stops start-up with a message saying where to set it;
/// the shared settings are checked by <see cref="ProviderHttpOptionsValidator{TOptions}"/>.
/// </summary>
internal sealed class OpenRouterProviderOptionsValidator : IValidateOptions<OpenRouterProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, OpenRouterProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        ProviderOptionsChecks.CheckCredential(failures, $"{nameof(OpenRouterProviderOptions)} of connection '{name}'", options.ManagementKey, nameof(OpenRouterProviderOptions.ManagementKey), "AddOpenRouter", name, options.ConfigurationPath);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
