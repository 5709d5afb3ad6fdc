namespace IronCage.Rotation;

/// <summary>Which key-encryption keys (KEKs) the stored secrets reference, from <see cref="IKeyRewrapper.GetStatusAsync"/>.</summary>
public sealed record KeyEncryptionStatus
{
    /// <summary>Gets the id of the KEK new secrets are wrapped with.</summary>
    public required string CurrentKeyId { get; init; }

    /// <summary>Gets, per KEK id that wraps at least one stored secret, how many; the current KEK first.</summary>
    public required IReadOnlyList<KeyEncryptionKeyUsage> Usage { get; init; }

    /// <summary>Gets how many secrets are under a KEK other than the current one (0 when a re-wrap is complete).</summary>
    public int Stale => Usage.Where(u => u.KeyEncryptionKeyId != CurrentKeyId).Sum(u => u.Versions + u.Operations);

    /// <summary>Gets whether the KEK <paramref name="keyEncryptionKeyId"/> can be removed: it is not current and no stored secret references it.</summary>
    /// <param name="keyEncryptionKeyId">The KEK id.</param>
    /// <returns><see langword="true"/> when nothing needs it.</returns>
    public bool IsRetirable(string keyEncryptionKeyId)
        => keyEncryptionKeyId != CurrentKeyId && !Usage.Any(u => u.KeyEncryptionKeyId == keyEncryptionKeyId);
}

/// <summary>How many stored secrets one key-encryption key wraps.</summary>
/// <param name="KeyEncryptionKeyId">The KEK id.</param>
/// <param name="Keys">Managed keys with at least one version under it.</param>
/// <param name="Versions">Key versions under it.</param>
/// <param name="Operations">Unfinished rotations whose new key is under it.</param>
public sealed record KeyEncryptionKeyUsage(string KeyEncryptionKeyId, int Keys, int Versions, int Operations);
