using NodaTime;

namespace IronCage.Rotation;

/// <summary>The rarely set part of a <see cref="RotationOperation"/>: distribution confirmations and the adoption wait.</summary>
internal sealed record OperationExtras
{
    public static OperationExtras None { get; } = new();

    public IReadOnlyList<KeyDistributionConfirmation> DistributedTo { get; init; } = [];

    public Instant? AdoptionNotBefore { get; init; }

    public Instant? AdoptionCheckAt { get; init; }

    public KeyAdoptionStatus? Adoption { get; init; }
}
