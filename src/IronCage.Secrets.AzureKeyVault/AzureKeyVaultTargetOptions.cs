using Azure.Core;
using Azure.Security.KeyVault.Secrets;

namespace IronCage.Secrets.AzureKeyVault;

/// <summary>Where <see cref="AzureKeyVaultTarget"/> writes a managed key: one secret of one vault.</summary>
public sealed class AzureKeyVaultTargetOptions
{
    /// <summary>Gets or sets the managed key this target holds, as <c>provider/name</c> (<c>openai/prod</c>).</summary>
    public string Key { get; set; } = string.Empty;

    /// <summary>Gets or sets the vault's URI (<c>https://contoso.vault.azure.net/</c>).</summary>
    public Uri? VaultUri { get; set; }

    /// <summary>Gets or sets the secret's name (letters, digits and <c>-</c>, up to 127 characters).</summary>
    public string SecretName { get; set; } = string.Empty;

    /// <summary>Gets or sets the credential (for example <c>new DefaultAzureCredential()</c> or a managed identity).</summary>
    public TokenCredential? Credential { get; set; }

    /// <summary>Gets or sets the content type written with each version.</summary>
    /// <value>The default value is <see cref="AzureKeyVaultConstants.DefaultContentType"/>.</value>
    public string ContentType { get; set; } = AzureKeyVaultConstants.DefaultContentType;

    /// <summary>Gets or sets the Key Vault client's options (retries, transport, API version), or <see langword="null"/> for the SDK's defaults.</summary>
    public SecretClientOptions? ClientOptions { get; set; }
}
