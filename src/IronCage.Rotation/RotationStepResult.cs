namespace IronCage.Rotation;

/// <summary>What <see cref="IRotationStepStore.WriteAsync"/> stored.</summary>
public sealed class RotationStepResult
{
    /// <summary>Gets the stored operation with its new concurrency token.</summary>
    /// <value>The operation.</value>
    public required RotationOperation Operation { get; init; }

    /// <summary>Gets the stored key with its new concurrency token; <see langword="null"/> when the step left the key alone.</summary>
    /// <value>The key, or <see langword="null"/>.</value>
    public ManagedKey? Key { get; init; }
}
