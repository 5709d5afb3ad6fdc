using IronCage.Internal;
using Microsoft.Extensions.Options;

namespace IronCage.Providers.AwsBedrock;

/// <summary>Checks an AWS Bedrock connection's options at start.</summary>
internal sealed class AwsBedrockProviderOptionsValidator : IValidateOptions<AwsBedrockProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, AwsBedrockProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var connection = string.IsNullOrEmpty(name) ? "default" : name;
        if (options.IamEndpoint is not { IsAbsoluteUri: true } endpoint || endpoint.Scheme != Uri.UriSchemeHttps)
        {
            failures.Add($"AWS Bedrock connection '{connection}': IamEndpoint must be an absolute https URI such as https://iam.amazonaws.com/.");
        }

        if (string.IsNullOrWhiteSpace(options.AccessKeyId) != string.IsNullOrWhiteSpace(options.SecretAccessKey))
        {
            failures.Add($"AWS Bedrock connection '{connection}': set both AccessKeyId and SecretAccessKey, or neither to use the default credential chain.");
        }

        if (string.IsNullOrWhiteSpace(options.SigningRegion) || string.IsNullOrWhiteSpace(options.BedrockRegion))
        {
            failures.Add($"AWS Bedrock connection '{connection}': SigningRegion and BedrockRegion must name AWS regions such as us-east-1.");
        }

        if (options.CredentialAgeDays is < AwsBedrockConstants.MinCredentialAgeDays or > AwsBedrockConstants.MaxCredentialAgeDays)
        {
            failures.Add($"AWS Bedrock connection '{connection}': CredentialAgeDays must be between 1 and 36600.");
        }

        ProviderOptionsChecks.CheckResilience(failures, $"AWS Bedrock connection '{connection}'", options.Resilience, nameof(options.RequestTimeout), nameof(options.MaxRetries));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
