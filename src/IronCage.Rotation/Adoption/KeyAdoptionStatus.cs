using System.Globalization;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// What a rotation waiting for adoption waits for, as last checked: recorded on the operation
/// (<see cref="RotationOperation.Adoption"/>), announced by <see cref="KeyAdoptionProgressed"/> and shown by
/// <see cref="IKeyRotator.PlanAsync"/>. Instance ids and counts only, never a secret.
/// </summary>
public sealed record KeyAdoptionStatus
{
    /// <summary>Gets where the wait stands.</summary>
    public required KeyAdoptionState State { get; init; }

    /// <summary>Gets when it was checked.</summary>
    public required Instant CheckedAt { get; init; }

    /// <summary>Gets how many live instances (heartbeat within <see cref="RotationOptions.InstanceTimeout"/>) use the key.</summary>
    public int LiveInstances { get; init; }

    /// <summary>Gets the live instances that still serve the old version or have requests in flight on it.</summary>
    /// <value>The default value is empty.</value>
    public IReadOnlyList<string> InstancesOnPrevious { get; init; } = [];

    /// <summary>Gets how many requests are in flight on the old version, over all live instances.</summary>
    public long InFlightOnPrevious { get; init; }

    /// <summary>Gets the instances that reported the key since the rotation started but stopped heartbeating (dropped out; not waited for).</summary>
    /// <value>The default value is empty.</value>
    public IReadOnlyList<string> DroppedInstances { get; init; } = [];

    /// <summary>Gets the consumers (<see cref="IKeyAdoptionReporter.Name"/>) that have not reported adoption yet.</summary>
    /// <value>The default value is empty.</value>
    public IReadOnlyList<string> PendingConsumers { get; init; } = [];

    /// <summary>Gets whether the old key may be revoked now (<see cref="KeyAdoptionState.Adopted"/> or <see cref="KeyAdoptionState.CeilingReached"/>).</summary>
    public bool MayRevoke => State is KeyAdoptionState.Adopted or KeyAdoptionState.CeilingReached;

    /// <summary>Gets a sentence saying what the rotation waits for, for example "2 of 5 instances still on the old version (3 requests in flight on it)".</summary>
    public string Summary
    {
        get
        {
            var parts = new List<string>();
            if (InstancesOnPrevious.Count > 0)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{InstancesOnPrevious.Count} of {LiveInstances} instances still on the old version ({string.Join(", ", InstancesOnPrevious)})"));
            }
            else
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{LiveInstances} of {LiveInstances} live instances on the new version"));
            }

            if (InFlightOnPrevious > 0)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{InFlightOnPrevious} {(InFlightOnPrevious == 1 ? "request" : "requests")} in flight on the old version"));
            }

            if (PendingConsumers.Count > 0)
            {
                parts.Add($"waiting for {string.Join(", ", PendingConsumers)}");
            }

            if (DroppedInstances.Count > 0)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{DroppedInstances.Count} stopped heartbeating and dropped out ({string.Join(", ", DroppedInstances)})"));
            }

            var state = State switch
            {
                KeyAdoptionState.WaitingForFloor => "waiting for the floor to pass",
                KeyAdoptionState.Adopted => "adopted",
                KeyAdoptionState.CeilingReached => "grace period over, revoking anyway",
                _ => "waiting",
            };
            return $"{state}: {string.Join("; ", parts)}";
        }
    }

    /// <summary>Returns <see cref="Summary"/>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => Summary;
}
