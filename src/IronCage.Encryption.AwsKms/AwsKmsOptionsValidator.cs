using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace IronCage.Encryption.AwsKms;

/// <summary>Checks <see cref="AwsKmsOptions"/> at start-up (the form of the key ids; whether KMS knows the key is <see cref="AwsKmsKeyEncryptionKeyProvider.CheckKeyAsync"/>'s job).</summary>
internal sealed partial class AwsKmsOptionsValidator : IValidateOptions<AwsKmsOptions>
{
    public ValidateOptionsResult Validate(string? name, AwsKmsOptions options)
    {
        var failures = Check(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    public static List<string> Check(AwsKmsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Region) || !RegionName().IsMatch(options.Region))
        {
            failures.Add($"AwsKmsOptions.Region '{options.Region}' is not an AWS region: set it to the KMS key's region, for example us-east-1.");
        }

        CheckKeyId(options.KeyId, "AwsKmsOptions.KeyId", options.Region, failures);
        for (var i = 0; i < options.RetiredKeyIds.Count; i++)
        {
            CheckKeyId(options.RetiredKeyIds[i], $"AwsKmsOptions.RetiredKeyIds[{i}]", options.Region, failures);
        }

        if (options.ServiceUrl is { } url && (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && !(url.Scheme == Uri.UriSchemeHttp && url.IsLoopback))))
        {
            failures.Add("AwsKmsOptions.ServiceUrl must be an absolute https URI (http only on loopback, for an emulator).");
        }

        if (string.IsNullOrWhiteSpace(options.StoreId))
        {
            failures.Add($"AwsKmsOptions.StoreId must not be empty: it is bound into every encryption context (the default is '{AwsKmsConstants.DefaultStoreId}').");
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            failures.Add("AwsKmsOptions.MaxRetries must be between 0 and 10.");
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(5))
        {
            failures.Add("AwsKmsOptions.Timeout must be more than zero and at most 5 minutes.");
        }

        return failures;
    }

    private static void CheckKeyId(string? keyId, string member, string region, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(keyId))
        {
            failures.Add($"{member} is required: a KMS key ARN, key id, alias name (alias/ironcage) or alias ARN.");
            return;
        }

        var arn = KeyArn().Match(keyId);
        if (arn.Success)
        {
            if (!string.Equals(arn.Groups["region"].Value, region, StringComparison.Ordinal))
            {
                failures.Add($"{member} '{keyId}' is in region {arn.Groups["region"].Value}, but AwsKmsOptions.Region is '{region}': KMS keys are regional, set Region to the key's region.");
            }

            return;
        }

        if (!AliasName().IsMatch(keyId) && !KeyGuid().IsMatch(keyId))
        {
            failures.Add($"{member} '{keyId}' is not a KMS key ARN (arn:aws:kms:region:account:key/id), key id, alias name (alias/…) or alias ARN.");
        }
        else if (keyId.StartsWith("alias/aws/", StringComparison.Ordinal))
        {
            failures.Add($"{member} '{keyId}' is an AWS managed key, which only its AWS service can use: create a customer managed key for IronCage.");
        }
    }

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-\d$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionName();

    [GeneratedRegex(@"^arn:aws(-[a-z]+)*:kms:(?<region>[a-z0-9-]+):\d{12}:(key/(mrk-)?[0-9a-f-]{32,36}|alias/[a-zA-Z0-9/_-]{1,250})$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyArn();

    [GeneratedRegex(@"^alias/[a-zA-Z0-9/_-]{1,250}$", RegexOptions.CultureInvariant)]
    private static partial Regex AliasName();

    [GeneratedRegex(@"^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyGuid();
}
