using IronCage.Providers.Http;
using Microsoft.Extensions.Options;

namespace IronCage.Providers.Anthropic;

/// <summary>
/// Checks each Anthropic connection's AdminKey at start, so a missing key stops start-up with a message saying where to set it;
/// the shared settings are checked by <see cref="ProviderHttpOptionsValidator{TOptions}"/>.
/// </summary>
internal sealed class AnthropicProviderOptionsValidator : IValidateOptions<AnthropicProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, AnthropicProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        ProviderOptionsChecks.CheckCredential(failures, $"{nameof(AnthropicProviderOptions)} of connection '{name}'", options.AdminKey, nameof(AnthropicProviderOptions.AdminKey), "AddAnthropic", name, options.ConfigurationPath);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
