using Microsoft.Extensions.Options;

namespace IronCage.Secrets.HashiCorpVault;

/// <summary>Checks the Vault source and target options at start-up.</summary>
internal sealed class HashiCorpVaultOptionsValidator : IValidateOptions<HashiCorpVaultTargetOptions>
{
    public static void ThrowIfInvalid(HashiCorpVaultOptions options)
    {
        var failures = Check(options);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, options.GetType(), failures);
        }
    }

    public ValidateOptionsResult Validate(string? name, HashiCorpVaultTargetOptions options)
    {
        var failures = Check(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static List<string> Check(HashiCorpVaultOptions options)
    {
        var kind = options.GetType().Name;
        var failures = new List<string>();
        if (options.Address is not { IsAbsoluteUri: true } address || (address.Scheme != Uri.UriSchemeHttps && !address.IsLoopback))
        {
            failures.Add($"{kind}.Address must be Vault's https address, for example https://vault.example.com:8200/ (http only on loopback, for a dev server or an emulator).");
        }

        var hasToken = !string.IsNullOrWhiteSpace(options.Token);
        var hasAppRole = !string.IsNullOrWhiteSpace(options.RoleId) && !string.IsNullOrWhiteSpace(options.SecretId);
        if (hasToken == hasAppRole)
        {
            failures.Add($"{kind}: set either Token, or RoleId and SecretId (AppRole), not both and not neither.");
        }

        if (string.IsNullOrWhiteSpace(options.Mount) || string.IsNullOrWhiteSpace(options.AppRoleMount))
        {
            failures.Add($"{kind}.Mount and AppRoleMount must name the KV v2 and AppRole mounts (secret and approle by default).");
        }

        if (options is HashiCorpVaultTargetOptions target)
        {
            if (!KeyReference.TryParse(target.Key, out _))
            {
                failures.Add($"{kind}.Key '{target.Key}' is not a managed key reference: set it to provider/name, for example openai/prod.");
            }

            if (string.IsNullOrWhiteSpace(target.Path) || target.Path.StartsWith('/') || target.Path.Contains("/data/", StringComparison.Ordinal))
            {
                failures.Add($"{kind}.Path must be the secret's path under the mount (apps/chat, not /secret/data/apps/chat).");
            }

            if (string.IsNullOrWhiteSpace(target.Field))
            {
                failures.Add($"{kind}.Field is required: the field of the secret that holds the key, for example OPENAI_API_KEY.");
            }
        }

        return failures;
    }
}
