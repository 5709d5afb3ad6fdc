using IronCage.Internal;
using Microsoft.Extensions.Options;

namespace IronCage.Providers.GoogleGemini;

/// <summary>Checks an Google Gemini connection's options at start.</summary>
internal sealed class GoogleGeminiProviderOptionsValidator : IValidateOptions<GoogleGeminiProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, GoogleGeminiProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var connection = string.IsNullOrEmpty(name) ? "default" : name;
        if (options.Endpoint is not { IsAbsoluteUri: true } endpoint || endpoint.Scheme != Uri.UriSchemeHttps)
        {
            failures.Add($"Google Gemini connection '{connection}': Endpoint must be an absolute https URI such as https://apikeys.googleapis.com/.");
        }

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
        ProviderOptionsChecks.CheckResilience(failures, where, options.Resilience, nameof(options.RequestTimeout), nameof(options.MaxRetries));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
