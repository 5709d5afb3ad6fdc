using IronCage.Auditing;

namespace IronCage.Rotation;

/// <summary>
/// What a step hands the engine to record in one store write: the operation at its next step, the change the step makes
/// to the key (a pure <see cref="ManagedKeyTransitions"/> function, re-applied to a fresh copy when another writer got
/// there first), its audit records, and what to announce once the write committed.
/// </summary>
internal sealed record StepOutcome(RotationOperation Operation)
{
    /// <summary>Gets the newest copy of the key the step read or wrote, so the next step need not read it again.</summary>
    public ManagedKey? Key { get; init; }

    /// <summary>Gets the change to the key, written with the operation; returning the key unchanged writes nothing.</summary>
    public Func<ManagedKey, ManagedKey>? KeyChange { get; init; }

    /// <summary>Gets the audit records written with the operation.</summary>
    public IReadOnlyList<AuditEvent> Audit { get; init; } = [];

    /// <summary>Gets what runs after the write committed, when the key change changed the key (events).</summary>
    public Func<CancellationToken, ValueTask>? AfterKeyChange { get; init; }

    public static implicit operator StepOutcome(RotationOperation operation) => new(operation);
}
