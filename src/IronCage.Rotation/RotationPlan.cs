using NodaTime;

namespace IronCage.Rotation;

/// <summary>What the engine would do, as of <see cref="Now"/> (see <see cref="IKeyRotator.PlanAsync"/>).</summary>
/// <param name="Now">The instant the plan was made for.</param>
/// <param name="Items">One entry per managed key that has a schedule or an operation under way.</param>
public sealed record RotationPlan(Instant Now, IReadOnlyList<PlannedRotation> Items)
{
    /// <summary>Gets the entries that are due now.</summary>
    public IEnumerable<PlannedRotation> Due => Items.Where(i => i.IsDue);
}
