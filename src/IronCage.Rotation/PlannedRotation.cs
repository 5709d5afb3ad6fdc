using IronCage.Providers;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>One managed key in a <see cref="RotationPlan"/>.</summary>
/// <param name="Key">The managed key.</param>
/// <param name="Action">What would be done.</param>
/// <param name="Tier">The strategy that would do it.</param>
/// <param name="DueAt">When it is (or was) due.</param>
/// <param name="IsDue">Whether it is due now.</param>
/// <param name="Detail">A sentence for people.</param>
public sealed record PlannedRotation(KeyReference Key, PlannedAction Action, RotationTier Tier, Instant? DueAt, bool IsDue, string Detail)
{
    /// <summary>Gets what the rotation waits for before it revokes the old key, when it waits for adoption (<see cref="RotationOperation.Adoption"/>).</summary>
    public KeyAdoptionStatus? Adoption { get; init; }
}
