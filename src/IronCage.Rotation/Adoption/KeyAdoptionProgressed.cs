using System.Text.Json;
using IronCage.Notifications;

namespace IronCage.Rotation;

/// <summary>
/// What a rotation waiting to revoke the old version waits for changed (an instance moved, in-flight requests drained,
/// an instance dropped out, adoption completed, or the grace period ended first). Published only when the story
/// changes, not at every check.
/// </summary>
public sealed record KeyAdoptionProgressed : RotationEvent
{
    /// <summary>Gets the version that waits to be revoked.</summary>
    public required string PreviousVersionId { get; init; }

    /// <summary>Gets the new current version.</summary>
    public required string VersionId { get; init; }

    /// <summary>Gets the check.</summary>
    public required KeyAdoptionStatus Status { get; init; }

    /// <inheritdoc />
    public override string Type => Status.State switch
    {
        KeyAdoptionState.Adopted => "key.adopted",
        KeyAdoptionState.CeilingReached => "key.adoption_ceiling_reached",
        _ => "key.adoption_waiting",
    };

    /// <inheritdoc />
    public override EventSeverity Severity => Status.State == KeyAdoptionState.CeilingReached ? EventSeverity.Warning : EventSeverity.Info;

    /// <inheritdoc />
    public override string Describe() => $"Revocation of version {PreviousVersionId} of {Key} after its rotation: {Status.Summary}.";

    /// <inheritdoc />
    protected override void WritePayloadFields(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("previousVersionId", PreviousVersionId);
        writer.WriteString("versionId", VersionId);
        writer.WriteString("state", PayloadName(Status.State));
        writer.WriteNumber("liveInstances", Status.LiveInstances);
        writer.WriteNumber("instancesOnPrevious", Status.InstancesOnPrevious.Count);
        writer.WriteNumber("inFlightOnPrevious", Status.InFlightOnPrevious);
        writer.WriteNumber("droppedInstances", Status.DroppedInstances.Count);
        writer.WriteString("summary", Status.Summary);
    }
}
