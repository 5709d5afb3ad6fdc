using Microsoft.Extensions.Options;

namespace IronCage.Providers.AwsBedrock;

/// <summary>Checks the package-specific settings of an AWS Bedrock connection at start; the shared settings are checked by <see cref="Http.ProviderHttpOptionsValidator{TOptions}"/>.</summary>
internal sealed class AwsBedrockProviderOptionsValidator : IValidateOptions<AwsBedrockProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, AwsBedrockProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var connection = string.IsNullOrEmpty(name) ? "default" : name;
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

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
