using IronCage.Internal;
using Microsoft.Extensions.Options;

namespace IronCage.Providers.OpenRouter.Internal;

/// <summary>Checks each OpenRouter connection at start, so a missing management key stops start-up with a message saying where to set it.</summary>
internal sealed class OpenRouterProviderOptionsValidator : IValidateOptions<OpenRouterProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, OpenRouterProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = ProviderOptionsChecks.Check(nameof(OpenRouterProviderOptions), name, options.ConfigurationPath, "AddOpenRouter", options.BaseAddress, options.ManagementKey, nameof(OpenRouterProviderOptions.ManagementKey), options.Resilience);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
