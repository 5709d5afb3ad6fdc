using IronCage.Auditing;

namespace IronCage.Rotation;

/// <summary>What one rotation step writes: see <see cref="IRotationStepStore"/>.</summary>
public sealed class RotationStepWrite
{
    /// <summary>Gets the operation at its new step, carrying the concurrency token it was read with.</summary>
    /// <value>The operation.</value>
    public required RotationOperation Operation { get; init; }

    /// <summary>Gets a value indicating whether the operation is new (<see cref="IRotationStore.CreateAsync"/>) rather than updated.</summary>
    /// <value><see langword="false"/> by default.</value>
    public bool CreatesOperation { get; init; }

    /// <summary>Gets the changed managed key, carrying the concurrency token it was read with; <see langword="null"/> when the step leaves the key alone.</summary>
    /// <value><see langword="null"/> by default.</value>
    public ManagedKey? Key { get; init; }

    /// <summary>Gets the audit records of the step, appended in order.</summary>
    /// <value>Empty by default.</value>
    public IReadOnlyList<AuditEvent> Audit { get; init; } = [];
}
