using IronCage.Providers.Http;
using Microsoft.Extensions.Options;

namespace IronCage.Providers.Perplexity;

/// <summary>
/// Checks each Perplexity connection's ManagementKey at start, so a missing key stops start-up with a message saying where to set it;
/// the shared settings are checked by <see cref="ProviderHttpOptionsValidator{TOptions}"/>.
/// </summary>
internal sealed class PerplexityProviderOptionsValidator : IValidateOptions<PerplexityProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, PerplexityProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        ProviderOptionsChecks.CheckCredential(failures, $"{nameof(PerplexityProviderOptions)} of connection '{name}'", options.ManagementKey, nameof(PerplexityProviderOptions.ManagementKey), "AddPerplexity", name, options.ConfigurationPath);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
