namespace IronCage.Rotation;

/// <summary>What a <see cref="RotationOperation"/> does: the engine runs every kind with the same persisted steps.</summary>
public enum RotationOperationKind
{
    /// <summary>Replaces the key: the old one is revoked after the new one is promoted and the grace period ended.</summary>
    Rotation = 0,

    /// <summary>
    /// An emergency that revokes (and kills) the old key before anything else, then replaces it
    /// (<see cref="RotationRequest.RevokeFirst"/>): service stops until the new key is in place.
    /// </summary>
    RevokeFirstRotation = 1,

    /// <summary>Revokes the current key without a replacement (<see cref="IKeyRotator.RevokeAsync"/>).</summary>
    Revocation = 2,
}
