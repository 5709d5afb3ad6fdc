namespace IronCage.Encryption;

/// <summary>The stored secret <see cref="StoredSecretProbe"/> opened: where it is, never its value.</summary>
public sealed class StoredSecretProbeResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="key">The managed key whose version was opened.</param>
    /// <param name="versionId">The version opened.</param>
    /// <param name="displayHint">The version's display hint.</param>
    /// <param name="keyEncryptionKeyId">The id of the key-encryption key that wraps the version's data key.</param>
    public StoredSecretProbeResult(KeyReference key, string versionId, string displayHint, string keyEncryptionKeyId)
    {
        ArgumentNullException.ThrowIfNull(versionId);
        ArgumentNullException.ThrowIfNull(displayHint);
        ArgumentNullException.ThrowIfNull(keyEncryptionKeyId);
        Key = key;
        VersionId = versionId;
        DisplayHint = displayHint;
        KeyEncryptionKeyId = keyEncryptionKeyId;
    }

    /// <summary>Gets the result for a store that holds no servable version yet.</summary>
    public static StoredSecretProbeResult Nothing { get; } = new(default, string.Empty, string.Empty, string.Empty);

    /// <summary>Gets the managed key whose version was opened.</summary>
    public KeyReference Key { get; }

    /// <summary>Gets the version opened (empty for <see cref="Nothing"/>).</summary>
    public string VersionId { get; }

    /// <summary>Gets the version's display hint.</summary>
    public string DisplayHint { get; }

    /// <summary>Gets the id of the key-encryption key that wraps the version's data key.</summary>
    public string KeyEncryptionKeyId { get; }

    /// <summary>Gets whether a secret was opened (<see langword="false"/> for <see cref="Nothing"/>).</summary>
    public bool Opened => VersionId.Length > 0;
}
