namespace IronCage.Rotation;

/// <summary>How <see cref="IKeyStoreBackup.RestoreAsync"/> restores.</summary>
public sealed record StoreRestoreOptions
{
    /// <summary>
    /// Gets a value indicating whether a store that already holds keys may be restored into: keys whose reference exists
    /// are skipped (and reported, with their operations), the rest are added. Without it a store that holds any key or
    /// unfinished rotation is refused.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Merge { get; init; }

    /// <summary>Gets a value indicating whether only to verify the file and report what would be restored, writing nothing.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool DryRun { get; init; }

    /// <summary>
    /// Gets a value indicating whether every sealed secret is opened (in memory, zeroed at once) and its fingerprint
    /// checked before anything is written, so a restore never leaves a store whose secrets this host cannot open. One
    /// unwrap per version: with a cloud KMS, one KMS call each.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool VerifySecrets { get; init; } = true;

    /// <summary>Gets who restores, for the audit trail.</summary>
    /// <value>The default value is <c>system</c>.</value>
    public string Actor { get; init; } = "system";
}
