using Microsoft.Extensions.Options;

namespace IronCage.Secrets.AzureKeyVault;

/// <summary>Checks <see cref="AzureKeyVaultTargetOptions"/> at start-up.</summary>
internal sealed class AzureKeyVaultTargetOptionsValidator : IValidateOptions<AzureKeyVaultTargetOptions>
{
    public static void ThrowIfInvalid(AzureKeyVaultTargetOptions options)
    {
        var result = new AzureKeyVaultTargetOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(AzureKeyVaultTargetOptions), result.Failures);
        }
    }

    public ValidateOptionsResult Validate(string? name, AzureKeyVaultTargetOptions options)
    {
        var failures = new List<string>();
        if (!KeyReference.TryParse(options.Key, out _))
        {
            failures.Add($"AzureKeyVaultTargetOptions.Key '{options.Key}' is not a managed key reference: set it to provider/name, for example openai/prod.");
        }

        KeyVaultNames.Check(options.VaultUri, options.SecretName, options.Credential, "AzureKeyVaultTargetOptions", failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
