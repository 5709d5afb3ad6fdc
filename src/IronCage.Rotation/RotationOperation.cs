using IronCage.Encryption;
using IronCage.Providers;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// One rotation (or revocation) of a managed key, as persisted in <see cref="IRotationStore"/>. Never holds a
/// plaintext secret: between the provider's answer and the key store, the new key is kept only sealed.
/// </summary>
public sealed record RotationOperation
{
    // Distribution and adoption state share one reference, null for an operation that has none: every step copies the
    // operation (a record), and four more fields would make each copy 64 bytes larger on the hot path.
    private readonly OperationExtras? _extras;

    /// <summary>Gets the operation's id (<c>rot_</c> followed by 32 hex characters).</summary>
    public required string OperationId { get; init; }

    /// <summary>Gets the managed key.</summary>
    public required KeyReference Key { get; init; }

    /// <summary>Gets why the rotation was started.</summary>
    public required RotationReason Reason { get; init; }

    /// <summary>Gets the strategy used, from the provider adapter's capabilities.</summary>
    public required RotationTier Tier { get; init; }

    /// <summary>Gets the current step.</summary>
    public required RotationStep Step { get; init; }

    /// <summary>Gets who asked for it (a user, a service, or <c>scheduler</c>).</summary>
    public required string RequestedBy { get; init; }

    /// <summary>Gets when it was requested.</summary>
    public required Instant RequestedAt { get; init; }

    /// <summary>Gets when it last changed.</summary>
    public required Instant UpdatedAt { get; init; }

    /// <summary>Gets the reason text the requester gave, if any.</summary>
    public string? Note { get; init; }

    /// <summary>Gets what the operation does: rotate, rotate after revoking the old key first, or only revoke.</summary>
    /// <value>The default value is <see cref="RotationOperationKind.Rotation"/>.</value>
    public RotationOperationKind Kind { get; init; }

    /// <summary>Gets a value indicating whether the old key is revoked before anything else (<see cref="RotationOperationKind.RevokeFirstRotation"/> and <see cref="RotationOperationKind.Revocation"/>).</summary>
    public bool RevokesFirst => Kind is RotationOperationKind.RevokeFirstRotation or RotationOperationKind.Revocation;

    /// <summary>Gets the version the rotation replaces (the Current version when it started), if any.</summary>
    public string? PreviousVersionId { get; init; }

    /// <summary>Gets the replaced version's provider-side id, if any.</summary>
    public string? PreviousProviderKeyId { get; init; }

    /// <summary>Gets where revoking the replaced version first stands (revoke-first emergencies and revocations).</summary>
    /// <value>The default value is <see cref="Rotation.EarlyRevocation.None"/>.</value>
    public EarlyRevocation EarlyRevocation { get; init; }

    /// <summary>Gets the id the new version gets.</summary>
    public required string NewVersionId { get; init; }

    /// <summary>Gets the name given to the new key at the provider; unique per attempt, so an ambiguous create can be found again by listing.</summary>
    public string? ProviderKeyName { get; init; }

    /// <summary>Gets a value indicating whether a create call was sent to the provider: a resumed rotation then looks for a key it may have created under <see cref="ProviderKeyName"/>.</summary>
    public bool CreateAttempted { get; init; }

    /// <summary>Gets the new key's provider-side id (or slot), once the provider created it.</summary>
    public string? NewProviderKeyId { get; init; }

    /// <summary>Gets the new key's secret, sealed to (<see cref="Key"/>, <see cref="NewVersionId"/>), between creation and storage.</summary>
    public EncryptedSecret? NewSecret { get; init; }

    /// <summary>Gets the new key's display hint.</summary>
    public string? NewDisplayHint { get; init; }

    /// <summary>Gets the new key's fingerprint.</summary>
    public string? NewFingerprint { get; init; }

    /// <summary>Gets when the provider will expire the new key, if it will.</summary>
    public Instant? NewExpiresAt { get; init; }

    /// <summary>
    /// Gets the distribution targets that confirmed they hold the new key, in the order they confirmed. Recorded one
    /// target at a time, so a rotation that stopped between two targets resumes with only the others.
    /// </summary>
    /// <value>The default value is empty.</value>
    public IReadOnlyList<KeyDistributionConfirmation> DistributedTo
    {
        get => _extras?.DistributedTo ?? [];
        init => _extras = (_extras ?? OperationExtras.None) with { DistributedTo = value };
    }

    /// <summary>Gets the grace period the requester asked for instead of the policy's (see <see cref="RotationRequest.GracePeriod"/>).</summary>
    public Duration? GracePeriodOverride { get; init; }

    /// <summary>Gets when the grace period ends and the old key may be revoked.</summary>
    public Instant? GraceEndsAt { get; init; }

    /// <summary>
    /// Gets the earliest instant the old key may be revoked when the rotation waits for adoption
    /// (<see cref="RotationOptions.WaitForAdoption"/>): promotion plus <see cref="RotationOptions.AdoptionFloor"/>, at
    /// most <see cref="GraceEndsAt"/>. <see langword="null"/> when the rotation does not wait for adoption.
    /// </summary>
    public Instant? AdoptionNotBefore
    {
        get => _extras?.AdoptionNotBefore;
        init => _extras = (_extras ?? OperationExtras.None) with { AdoptionNotBefore = value };
    }

    /// <summary>Gets when adoption is checked next, while the rotation waits for it.</summary>
    public Instant? AdoptionCheckAt
    {
        get => _extras?.AdoptionCheckAt;
        init => _extras = (_extras ?? OperationExtras.None) with { AdoptionCheckAt = value };
    }

    /// <summary>Gets what the rotation waits for before it revokes the old key, as last checked (for example "2 of 5 instances still on the old version").</summary>
    public KeyAdoptionStatus? Adoption
    {
        get => _extras?.Adoption;
        init => _extras = (_extras ?? OperationExtras.None) with { Adoption = value };
    }

    /// <summary>Gets how many reminders were sent while the operation waited for a person (see <see cref="RotationOverdue"/>).</summary>
    public int RemindersSent { get; init; }

    /// <summary>Gets when the last reminder was sent.</summary>
    public Instant? LastReminderAt { get; init; }

    /// <summary>Gets how many times the current step has failed in a row.</summary>
    public int Attempts { get; init; }

    /// <summary>Gets the earliest instant the current step is retried, after a failure.</summary>
    public Instant? NextAttemptAt { get; init; }

    /// <summary>
    /// Gets why the operation is being rolled back, while the rollback waits to retry restoring a distribution target
    /// that failed transiently: the new key stays live at the provider until every target holds the old key again. When
    /// set, resuming the operation (<see cref="NextAttemptAt"/>) continues the rollback instead of running its step.
    /// </summary>
    public string? RollbackReason { get; init; }

    /// <summary>Gets the last failure, without secrets.</summary>
    public string? LastError { get; init; }

    /// <summary>Gets when the operation ended (Completed, Failed or RevocationFailed).</summary>
    public Instant? EndedAt { get; init; }

    /// <summary>Gets the store's concurrency token (see <see cref="IRotationStore.UpdateAsync"/>).</summary>
    public long ConcurrencyToken { get; init; }

    /// <summary>Gets a value indicating whether the operation has ended.</summary>
    public bool IsFinished => Step is RotationStep.Completed or RotationStep.Failed or RotationStep.RevocationFailed;

    /// <summary>Creates a new operation id.</summary>
    /// <returns>The id.</returns>
    public static string NewOperationId() => "rot_" + Guid.NewGuid().ToString("N");

    /// <summary>Returns a summary without secrets.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => $"{OperationId} {Key} {Kind} {Reason} {Tier} at {Step}";
}
