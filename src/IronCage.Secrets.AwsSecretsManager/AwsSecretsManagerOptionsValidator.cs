using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace IronCage.Secrets.AwsSecretsManager;

/// <summary>Checks the Secrets Manager source and target options at start-up.</summary>
internal sealed partial class AwsSecretsManagerOptionsValidator : IValidateOptions<AwsSecretsManagerTargetOptions>
{
    public static void ThrowIfInvalid(AwsSecretsManagerOptions options)
    {
        var failures = Check(options);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, options.GetType(), failures);
        }
    }

    public ValidateOptionsResult Validate(string? name, AwsSecretsManagerTargetOptions options)
    {
        var failures = Check(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static List<string> Check(AwsSecretsManagerOptions options)
    {
        var kind = options.GetType().Name;
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Region))
        {
            failures.Add($"{kind}.Region is required: set it to the secret's region, for example us-east-1.");
        }

        if (options.ServiceUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && !url.IsLoopback)))
        {
            failures.Add($"{kind}.ServiceUrl must be an absolute https URI (http only on loopback, for an emulator).");
        }

        if (options is AwsSecretsManagerTargetOptions target)
        {
            if (!KeyReference.TryParse(target.Key, out _))
            {
                failures.Add($"{kind}.Key '{target.Key}' is not a managed key reference: set it to provider/name, for example openai/prod.");
            }

            if (string.IsNullOrWhiteSpace(target.SecretId))
            {
                failures.Add($"{kind}.SecretId is required: the secret's name or ARN.");
            }

            if (target.Field is { Length: 0 })
            {
                failures.Add($"{kind}.Field must be a JSON field name, or null to replace the whole secret string.");
            }
        }

        if (options is AwsSecretsManagerSourceOptions { SecretIds.Count: 0 } source)
        {
            // ListSecrets takes at most 10 filters (FiltersListType) whose values match FilterValueStringType.
            var filters = (string.IsNullOrEmpty(source.NamePrefix) ? 0 : 1) + source.Tags.Count;
            if (filters > 10)
            {
                failures.Add($"{kind}: NamePrefix and Tags make {filters} ListSecrets filters; Secrets Manager accepts at most 10. Select fewer tags or list SecretIds.");
            }

            foreach (var value in source.Tags.Keys.Prepend(source.NamePrefix ?? string.Empty).Where(v => !FilterValue().IsMatch(v) || v.Length > 512))
            {
                failures.Add($"{kind}: '{value}' is not a ListSecrets filter value (at most 512 of a-z A-Z 0-9 space : _ @ / + = . - !).");
            }
        }

        return failures;
    }

    [GeneratedRegex(@"^\!?[a-zA-Z0-9 :_@\/\+\=\.\-\!]*$", RegexOptions.CultureInvariant)]
    private static partial Regex FilterValue();
}
