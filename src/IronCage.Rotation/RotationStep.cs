namespace IronCage.Rotation;

/// <summary>
/// Where a rotation is. Each step is recorded before the next begins, so an engine started on the same store
/// resumes an unfinished rotation where it stopped. In order: Requested (or AwaitingNewKey), CreatedAtProvider,
/// StoredPending, Verified, Distributed, Promoted, GracePeriod, PreviousRevoked, then Completed, Failed or
/// RevocationFailed.
/// </summary>
public enum RotationStep
{
    /// <summary>Recorded; nothing done at the provider yet.</summary>
    Requested = 0,

    /// <summary>Waiting for a person to create the new key in the provider's console and supply it (semi-automatic and manual tiers).</summary>
    AwaitingNewKey = 1,

    /// <summary>The provider created the new key; its provider-side id and its sealed secret are recorded.</summary>
    CreatedAtProvider = 2,

    /// <summary>The new key is stored, encrypted, as the Pending version.</summary>
    StoredPending = 3,

    /// <summary>An authenticated call with the new key succeeded.</summary>
    Verified = 4,

    /// <summary>
    /// The verified key was written to every <see cref="IKeyDistributionTarget"/> (recorded even when none is
    /// registered). Numbered after the steps that existed before it, as step numbers are stored.
    /// </summary>
    Distributed = 11,

    /// <summary>The new key is Current; the old one is Previous and still valid.</summary>
    Promoted = 5,

    /// <summary>Waiting for the grace period to end before the old key is revoked.</summary>
    GracePeriod = 6,

    /// <summary>The old key was revoked at the provider (deleted, deactivated or its slot regenerated).</summary>
    PreviousRevoked = 7,

    /// <summary>Done.</summary>
    Completed = 8,

    /// <summary>Failed before the new key was promoted and rolled back: the old key stayed current.</summary>
    Failed = 9,

    /// <summary>The new key is current, but revoking the old one kept failing; an operator must revoke it (an alert was raised).</summary>
    RevocationFailed = 10,
}
