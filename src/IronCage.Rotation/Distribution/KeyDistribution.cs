namespace IronCage.Rotation;

/// <summary>What a <see cref="IKeyDistributionTarget"/> writes: the new, verified version of a managed key.</summary>
public sealed class KeyDistribution
{
    /// <summary>Gets the rotation operation's id.</summary>
    public required string OperationId { get; init; }

    /// <summary>Gets the managed key, as stored when the step ran.</summary>
    public required ManagedKey Key { get; init; }

    /// <summary>Gets the new version (Pending until it is promoted).</summary>
    public required KeyVersion Version { get; init; }

    /// <summary>Gets the new key's value. Owned by the engine and disposed after the step: copy it, never keep it.</summary>
    public required SecretValue Secret { get; init; }

    /// <summary>Returns a summary without the secret.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => $"{Key.Reference} {Version.VersionId} ({Version.DisplayHint}) for {OperationId}";
}
