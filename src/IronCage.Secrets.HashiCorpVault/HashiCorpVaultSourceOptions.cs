namespace IronCage.Secrets.HashiCorpVault;

/// <summary>Which KV v2 secrets <see cref="HashiCorpVaultSource"/> reads.</summary>
public sealed class HashiCorpVaultSourceOptions : HashiCorpVaultOptions
{
    /// <summary>Gets the secrets' paths under the mount (<c>apps/chat</c>).</summary>
    public IList<string> Paths { get; } = [];

    /// <summary>Gets or sets a folder under the mount whose secrets are all read (one level, as <c>vault kv list</c> shows it), or <see langword="null"/>.</summary>
    public string? Folder { get; set; }
}
