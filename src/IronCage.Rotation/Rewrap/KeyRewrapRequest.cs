namespace IronCage.Rotation;

/// <summary>How <see cref="IKeyRewrapper.RewrapAsync"/> runs.</summary>
public sealed record KeyRewrapRequest
{
    /// <summary>The default <see cref="BatchSize"/>.</summary>
    public const int DefaultBatchSize = 100;

    /// <summary>The largest <see cref="BatchSize"/>.</summary>
    public const int MaxBatchSize = 10_000;

    /// <summary>Gets how many keys are re-wrapped between two progress reports (1 to <see cref="MaxBatchSize"/>).</summary>
    /// <value>The default value is 100.</value>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>Gets who runs the re-wrap, for the audit trail.</summary>
    /// <value>The default value is <c>system</c>.</value>
    public string Actor { get; init; } = "system";

    /// <summary>Gets a value indicating whether only to count what would be re-wrapped, changing nothing.</summary>
    public bool DryRun { get; init; }
}
