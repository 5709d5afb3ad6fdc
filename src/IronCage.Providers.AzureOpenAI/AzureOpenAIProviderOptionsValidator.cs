using System.Text.RegularExpressions;
using IronCage.Providers.Http;
using Microsoft.Extensions.Options;

namespace IronCage.Providers.AzureOpenAI;

/// <summary>Checks the package-specific settings of an Azure OpenAI connection at start; the shared settings are checked by <see cref="ProviderHttpOptionsValidator{TOptions}"/>.</summary>
internal sealed partial class AzureOpenAIProviderOptionsValidator : IValidateOptions<AzureOpenAIProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, AzureOpenAIProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var connection = string.IsNullOrEmpty(name) ? "default" : name;
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
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(-preview)?$", RegexOptions.CultureInvariant, 100)]
    private static partial Regex ApiVersionPattern();
}
