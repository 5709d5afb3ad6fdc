namespace IronCage.Rotation;

/// <summary>A rotation was asked for a managed key that already has one under way; finish, complete or wait for that one first.</summary>
public sealed class RotationConflictException : IronCageException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="activeOperationId">The operation under way.</param>
    /// <param name="activeStep">Where it is.</param>
    public RotationConflictException(KeyReference key, string activeOperationId, RotationStep activeStep)
        : base($"Managed key '{key}' already has rotation {activeOperationId} under way (at {activeStep}). Wait for it, supply its new key, or complete its grace period first.")
    {
        Key = key;
        ActiveOperationId = activeOperationId;
        ActiveStep = activeStep;
    }

    /// <summary>Gets the managed key.</summary>
    public KeyReference Key { get; }

    /// <summary>Gets the operation under way.</summary>
    public string ActiveOperationId { get; }

    /// <summary>Gets where it is.</summary>
    public RotationStep ActiveStep { get; }
}
