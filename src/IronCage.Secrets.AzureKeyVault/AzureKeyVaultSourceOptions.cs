using Azure.Core;
using Azure.Security.KeyVault.Secrets;

namespace IronCage.Secrets.AzureKeyVault;

/// <summary>Which Key Vault secrets <see cref="AzureKeyVaultSource"/> reads.</summary>
public sealed class AzureKeyVaultSourceOptions
{
    /// <summary>Gets or sets the vault's URI (<c>https://contoso.vault.azure.net/</c>).</summary>
    public Uri? VaultUri { get; set; }

    /// <summary>Gets or sets the credential (for example <c>new DefaultAzureCredential()</c> or a managed identity).</summary>
    public TokenCredential? Credential { get; set; }

    /// <summary>
    /// Gets or sets the prefix a secret's name must start with (case-insensitive), or <see langword="null"/> for every
    /// secret. The prefix is dropped from the candidate's name: <c>llm-OPENAI-API-KEY</c> with prefix <c>llm-</c> is read
    /// as <c>OPENAI_API_KEY</c>, so the importer detects the provider by name.
    /// </summary>
    public string? NamePrefix { get; set; }

    /// <summary>Gets the tags a secret must carry, each with the given value (an empty value matches any), for example <c>ironcage-import = yes</c>.</summary>
    public IDictionary<string, string> Tags { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets or sets the Key Vault client's options (retries, transport, API version), or <see langword="null"/> for the SDK's defaults.</summary>
    public SecretClientOptions? ClientOptions { get; set; }
}
