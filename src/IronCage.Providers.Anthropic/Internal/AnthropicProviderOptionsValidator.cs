using IronCage.Internal;
using Microsoft.Extensions.Options;

namespace IronCage.Providers.Anthropic.Internal;

/// <summary>Checks each Anthropic connection at start, so a missing admin key stops start-up with a message saying where to set it.</summary>
internal sealed class AnthropicProviderOptionsValidator : IValidateOptions<AnthropicProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, AnthropicProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = ProviderOptionsChecks.Check(nameof(AnthropicProviderOptions), name, options.ConfigurationPath, "AddAnthropic", options.BaseAddress, options.AdminKey, nameof(AnthropicProviderOptions.AdminKey), options.Resilience);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
