using IronCage.Providers.Http;
using Microsoft.Extensions.Options;

namespace IronCage.Providers.OpenAI;

/// <summary>
/// Checks each OpenAI connection's AdminKey at start, so a missing key stops start-up with a message saying where to set it;
/// the shared settings are checked by <see cref="ProviderHttpOptionsValidator{TOptions}"/>.
/// </summary>
internal sealed class OpenAIProviderOptionsValidator : IValidateOptions<OpenAIProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, OpenAIProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        ProviderOptionsChecks.CheckCredential(failures, $"{nameof(OpenAIProviderOptions)} of connection '{name}'", options.AdminKey, nameof(OpenAIProviderOptions.AdminKey), "AddOpenAI", name, options.ConfigurationPath);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
