using IronCage.Providers.Http;
using Microsoft.Extensions.Options;

namespace IronCage.Providers.GoogleGemini;

/// <summary>Checks the package-specific settings of an Google Gemini connection at start; the shared settings are checked by <see cref="ProviderHttpOptionsValidator{TOptions}"/>.</summary>
internal sealed class GoogleGeminiProviderOptionsValidator : IValidateOptions<GoogleGeminiProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, GoogleGeminiProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var connection = string.IsNullOrEmpty(name) ? "default" : name;
        if (options.AccessToken is not null && string.IsNullOrWhiteSpace(options.AccessToken))
        {
            failures.Add($"Google Gemini connection '{connection}': AccessToken is blank; leave it unset to use application-default credentials.");
        }

        if (options.ServiceAccountFile is { } file && !File.Exists(file))
        {
            failures.Add($"Google Gemini connection '{connection}': the ServiceAccountFile '{file}' does not exist.");
        }

        var where = $"Google Gemini connection '{connection}'";
        ProviderOptionsChecks.CheckPolling(failures, where, options.Polling);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
