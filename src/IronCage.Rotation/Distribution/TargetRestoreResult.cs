namespace IronCage.Rotation;

/// <summary>What a rollback's restore of the distribution targets left: problems for the message, the targets that still hold the new key, and whether a later retry may help.</summary>
internal sealed record TargetRestoreResult(IReadOnlyList<string> Problems, IReadOnlyList<string> StillHoldingNewKey, bool Retryable)
{
    public static TargetRestoreResult None { get; } = new([], [], Retryable: false);
}
