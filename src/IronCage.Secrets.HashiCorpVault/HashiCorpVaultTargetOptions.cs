namespace IronCage.Secrets.HashiCorpVault;

/// <summary>Where <see cref="HashiCorpVaultTarget"/> writes a managed key: one field of one KV v2 secret.</summary>
public sealed class HashiCorpVaultTargetOptions : HashiCorpVaultOptions
{
    /// <summary>Gets or sets the managed key this target holds, as <c>provider/name</c> (<c>openai/prod</c>).</summary>
    public string Key { get; set; } = string.Empty;

    /// <summary>Gets or sets the secret's path under the mount (<c>apps/chat</c> for <c>secret/data/apps/chat</c>).</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>Gets or sets the field of the secret that holds the key (<c>OPENAI_API_KEY</c>); the other fields are kept.</summary>
    public string Field { get; set; } = string.Empty;
}
