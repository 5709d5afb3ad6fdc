using Microsoft.Extensions.Options;

namespace IronCage.Providers.AwsBedrock;

/// <summary>Checks a source of Amazon Bedrock short-term API keys at start.</summary>
internal sealed class AwsBedrockShortTermOptionsValidator : IValidateOptions<AwsBedrockShortTermOptions>
{
    public ValidateOptionsResult Validate(string? name, AwsBedrockShortTermOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var connection = string.IsNullOrEmpty(name) ? "default" : name;
        if (string.IsNullOrWhiteSpace(options.Region))
        {
            failures.Add($"AWS Bedrock short-term keys '{connection}': set Region to the AWS region the keys are for, such as us-east-1.");
        }

        if (options.Lifetime < AwsBedrockConstants.MinShortTermLifetime || options.Lifetime > AwsBedrockConstants.MaxShortTermLifetime)
        {
            failures.Add($"AWS Bedrock short-term keys '{connection}': Lifetime {options.Lifetime} is out of range; AWS accepts 1 minute to 12 hours.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
