namespace IronCage.Secrets.AzureKeyVault;

/// <summary>Names and defaults of the Azure Key Vault source and target.</summary>
public static class AzureKeyVaultConstants
{
    /// <summary>The tag naming the managed key a secret version holds (<c>openai/prod</c>).</summary>
    public const string KeyTag = "ironcage-key";

    /// <summary>The tag naming the IronCage key version a secret version holds; the target's idempotency check.</summary>
    public const string VersionTag = "ironcage-version";

    /// <summary>The tag naming the rotation operation that wrote a secret version.</summary>
    public const string OperationTag = "ironcage-operation";

    /// <summary>The content type written with each secret version.</summary>
    public const string DefaultContentType = "text/plain";
}
