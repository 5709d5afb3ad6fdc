using IronCage.Internal;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace IronCage.Providers.AzureOpenAI;

/// <summary>Checks an Azure OpenAI connection's options at start.</summary>
internal sealed partial class AzureOpenAIProviderOptionsValidator : IValidateOptions<AzureOpenAIProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, AzureOpenAIProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var connection = string.IsNullOrEmpty(name) ? "default" : name;
        if (options.ManagementEndpoint is not { IsAbsoluteUri: true } management || management.Scheme != Uri.UriSchemeHttps)
        {
            failures.Add($"Azure OpenAI connection '{connection}': ManagementEndpoint must be an absolute https URI such as https://management.azure.com/.");
        }

        if (string.IsNullOrWhiteSpace(options.ApiVersion) || !ApiVersionPattern().IsMatch(options.ApiVersion))
        {
            failures.Add($"Azure OpenAI connection '{connection}': ApiVersion must look like 2026-03-01 (optionally with -preview); it is '{options.ApiVersion}'.");
        }

        if (options.Endpoint is { } endpoint && (!endpoint.IsAbsoluteUri || endpoint.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"Azure OpenAI connection '{connection}': Endpoint must be the account's https data-plane address, such as https://my-resource.openai.azure.com.");
        }

        var where = $"Azure OpenAI connection '{connection}'";
        ProviderOptionsChecks.CheckPolling(failures, where, options.Polling);
        ProviderOptionsChecks.CheckResilience(failures, where, options.Resilience, nameof(options.RequestTimeout), nameof(options.MaxRetries));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(-preview)?$", RegexOptions.CultureInvariant, 100)]
    private static partial Regex ApiVersionPattern();
}
