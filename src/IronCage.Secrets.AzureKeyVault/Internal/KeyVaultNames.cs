using System.Text.RegularExpressions;
using Azure.Core;

namespace IronCage.Secrets.AzureKeyVault;

/// <summary>The option checks the Key Vault source and target share.</summary>
internal static partial class KeyVaultNames
{
    public static void Check(Uri? vaultUri, string? secretName, TokenCredential? credential, string optionsName, List<string> failures)
    {
        if (vaultUri is null || !vaultUri.IsAbsoluteUri || !string.Equals(vaultUri.Scheme, Uri.UriSchemeHttps, StringComparison.Ordinal))
        {
            failures.Add($"{optionsName}.VaultUri must be the vault's https URI, for example https://contoso.vault.azure.net/ (the Overview page of the vault in the Azure portal).");
        }

        if (secretName is not null && !SecretName().IsMatch(secretName))
        {
            failures.Add($"{optionsName}.SecretName '{secretName}' is not a Key Vault secret name: use 1 to 127 letters, digits and '-'.");
        }

        if (credential is null)
        {
            failures.Add($"{optionsName}.Credential is required: set it to a TokenCredential such as new DefaultAzureCredential() (Azure.Identity) or a ManagedIdentityCredential.");
        }
    }

    [GeneratedRegex("^[0-9a-zA-Z-]{1,127}$")]
    private static partial Regex SecretName();
}
