namespace IronCage.Rotation;

/// <summary>What <see cref="IKeyRewrapper.RewrapAsync"/> re-wrapped (or, in a dry run, would have).</summary>
public sealed record KeyRewrapResult
{
    /// <summary>Gets the id of the KEK everything was re-wrapped under.</summary>
    public required string CurrentKeyId { get; init; }

    /// <summary>Gets a value indicating whether this was a dry run.</summary>
    public bool DryRun { get; init; }

    /// <summary>Gets how many keys had at least one version re-wrapped.</summary>
    public int Keys { get; init; }

    /// <summary>Gets how many key versions were re-wrapped.</summary>
    public int Versions { get; init; }

    /// <summary>Gets how many unfinished rotations had their new key re-wrapped.</summary>
    public int Operations { get; init; }

    /// <summary>Gets how many batches ran.</summary>
    public int Batches { get; init; }

    /// <summary>Gets the KEK ids the re-wrapped secrets were under before.</summary>
    public IReadOnlyList<string> PreviousKeyIds { get; init; } = [];
}
