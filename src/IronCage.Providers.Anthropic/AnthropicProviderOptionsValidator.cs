using IronCage.Providers.Http;
using Microsoft.Extensions.Options;

namespace IronCage.Providers.Anthropic;

/// <summary>
/// Checks each Anthropic connection's AdminKey at start, so a missing key, or an inference key (or another provider's key)
/// given as the admin key, stops start-up with a message saying where to set it instead of failing the first rotation;
/// the shared settings are checked by <see cref="ProviderHttpOptionsValidator{TOptions}"/>.
/// </summary>
internal sealed class AnthropicProviderOptionsValidator : IValidateOptions<AnthropicProviderOptions>
{
    // The built-in descriptor's admin-key shape: validating the connection must not pull in the host's catalog, whose
    // options bring the master key check with them (a connection is checked on its own, even before a master key is set).
    private static readonly KeyFormatValidator Keys = KeyFormatValidator.BuiltIn;

    public ValidateOptionsResult Validate(string? name, AnthropicProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        ProviderOptionsChecks.CheckCredential(failures, $"{nameof(AnthropicProviderOptions)} of connection '{name}'", options.AdminKey, nameof(AnthropicProviderOptions.AdminKey), "AddAnthropic", name, options.ConfigurationPath);
        if (failures.Count == 0)
        {
            ProviderOptionsChecks.CheckAdminKeyShape(failures, Keys, ProviderId.Anthropic, $"{nameof(AnthropicProviderOptions)} of connection '{name}'", options.AdminKey!, nameof(AnthropicProviderOptions.AdminKey));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
