using IronCage.Internal;
using Microsoft.Extensions.Options;

namespace IronCage.Providers.OpenAI.Internal;

/// <summary>Checks each OpenAI connection at start, so a missing admin key stops start-up with a message saying where to set it.</summary>
internal sealed class OpenAIProviderOptionsValidator : IValidateOptions<OpenAIProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, OpenAIProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = ProviderOptionsChecks.Check(nameof(OpenAIProviderOptions), name, options.ConfigurationPath, "AddOpenAI", options.BaseAddress, options.AdminKey, nameof(OpenAIProviderOptions.AdminKey), options.Resilience);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
