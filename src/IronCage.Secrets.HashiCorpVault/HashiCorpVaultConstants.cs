namespace IronCage.Secrets.HashiCorpVault;

/// <summary>Names and defaults of the Vault source and target.</summary>
public static class HashiCorpVaultConstants
{
    /// <summary>The default mount of the KV version 2 engine (Vault's dev server mounts it at <c>secret</c>).</summary>
    public const string DefaultMount = "secret";

    /// <summary>The default mount of the AppRole auth method.</summary>
    public const string DefaultAppRoleMount = "approle";

    /// <summary>The name of the <see cref="System.Net.Http.HttpClient"/> the DI registrations use.</summary>
    public const string HttpClientName = "IronCage.Secrets.HashiCorpVault";
}
