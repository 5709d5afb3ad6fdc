using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// One distribution target's confirmation that it holds a rotation's new key, as recorded on the
/// <see cref="RotationOperation"/>: a resumed rotation calls only the targets that have none, and a rollback restores
/// exactly the targets that have one.
/// </summary>
public sealed record KeyDistributionConfirmation
{
    /// <summary>Gets the target's <see cref="IKeyDistributionTarget.Name"/>.</summary>
    public required string Target { get; init; }

    /// <summary>Gets the target's own id for what it wrote (<see cref="KeyDistributionReceipt.TargetVersion"/>), if it has one.</summary>
    public string? TargetVersion { get; init; }

    /// <summary>Gets whether the target already held the value and wrote nothing.</summary>
    public bool AlreadyCurrent { get; init; }

    /// <summary>Gets when the target confirmed.</summary>
    public required Instant ConfirmedAt { get; init; }
}
