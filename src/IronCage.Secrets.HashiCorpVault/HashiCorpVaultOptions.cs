namespace IronCage.Secrets.HashiCorpVault;

/// <summary>How the Vault source and target reach Vault and log in: a token, or an AppRole role id and secret id.</summary>
public abstract class HashiCorpVaultOptions
{
    /// <summary>Gets or sets Vault's address (<c>https://vault.example.com:8200/</c>).</summary>
    public Uri? Address { get; set; }

    /// <summary>Gets or sets the token to authenticate with; leave it <see langword="null"/> to log in with <see cref="RoleId"/> and <see cref="SecretId"/>.</summary>
    public string? Token { get; set; }

    /// <summary>Gets or sets the AppRole role id.</summary>
    public string? RoleId { get; set; }

    /// <summary>Gets or sets the AppRole secret id.</summary>
    public string? SecretId { get; set; }

    /// <summary>Gets or sets the AppRole auth method's mount.</summary>
    /// <value>The default value is <see cref="HashiCorpVaultConstants.DefaultAppRoleMount"/>.</value>
    public string AppRoleMount { get; set; } = HashiCorpVaultConstants.DefaultAppRoleMount;

    /// <summary>Gets or sets the KV version 2 engine's mount.</summary>
    /// <value>The default value is <see cref="HashiCorpVaultConstants.DefaultMount"/>.</value>
    public string Mount { get; set; } = HashiCorpVaultConstants.DefaultMount;

    /// <summary>Gets or sets the Vault Enterprise namespace (sent as <c>X-Vault-Namespace</c>), or <see langword="null"/>.</summary>
    public string? Namespace { get; set; }
}
