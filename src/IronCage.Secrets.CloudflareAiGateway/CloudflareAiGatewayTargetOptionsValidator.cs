using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace IronCage.Secrets.CloudflareAiGateway;

/// <summary>Checks <see cref="CloudflareAiGatewayTargetOptions"/> at start-up.</summary>
internal sealed partial class CloudflareAiGatewayTargetOptionsValidator : IValidateOptions<CloudflareAiGatewayTargetOptions>
{
    public static void ThrowIfInvalid(CloudflareAiGatewayTargetOptions options)
    {
        var result = new CloudflareAiGatewayTargetOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(CloudflareAiGatewayTargetOptions), result.Failures);
        }
    }

    public ValidateOptionsResult Validate(string? name, CloudflareAiGatewayTargetOptions options)
    {
        var failures = new List<string>();
        if (!KeyReference.TryParse(options.Key, out _))
        {
            failures.Add($"CloudflareAiGatewayTargetOptions.Key '{options.Key}' is not a managed key reference: set it to provider/name, for example openai/prod.");
        }

        if (!Id().IsMatch(options.AccountId ?? string.Empty))
        {
            failures.Add("CloudflareAiGatewayTargetOptions.AccountId must be the 32-character account id (the dashboard's Account home > Account ID).");
        }

        if (options.StoreId is not null && !Id().IsMatch(options.StoreId))
        {
            failures.Add("CloudflareAiGatewayTargetOptions.StoreId must be a 32-character store id, or null for the account's store.");
        }

        if (string.IsNullOrWhiteSpace(options.ApiToken))
        {
            failures.Add("CloudflareAiGatewayTargetOptions.ApiToken is required: an API token with Secrets Store Write on the account.");
        }

        foreach (var (field, value) in new[] { ("GatewayId", options.GatewayId), ("Alias", options.Alias) })
        {
            if (string.IsNullOrWhiteSpace(value) || value.Contains('_', StringComparison.Ordinal))
            {
                failures.Add($"CloudflareAiGatewayTargetOptions.{field} is required and may not contain '_' (it separates the parts of the secret's name).");
            }
        }

        if (options.BaseAddress is not { IsAbsoluteUri: true } address || (address.Scheme != Uri.UriSchemeHttps && !address.IsLoopback))
        {
            failures.Add("CloudflareAiGatewayTargetOptions.BaseAddress must be an absolute https URI (http only on loopback, for an emulator).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex Id();
}
