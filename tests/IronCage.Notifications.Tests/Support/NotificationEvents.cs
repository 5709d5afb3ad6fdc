using IronCage.Providers;
using NodaTime;

namespace IronCage.Notifications.Tests;

/// <summary>One event of each type, for the sinks to deliver.</summary>
internal static class NotificationEvents
{
    public static readonly KeyReference Key = KeyReference.Parse("openai/prod");

    public static readonly Instant At = Instant.FromUtc(2026, 11, 1, 9, 0);

    public static readonly Uri Console = new("https://platform.openai.com/api-keys");

    public static RotationStarted Started(RotationReason reason = RotationReason.Compromised) => new() { Key = Key, OccurredAt = At, OperationId = "op-1", Reason = reason, Tier = RotationTier.SlotAlternating };

    public static RotationCompleted Completed() => new() { Key = Key, OccurredAt = At, OperationId = "op-1", VersionId = "v2", DisplayHint = "sk-…abcd" };

    public static RotationFailed Failed(string reason = "the provider refused the new key") => new() { Key = Key, OccurredAt = At, OperationId = "op-1", Step = RotationStep.StoredPending, Reason = reason };

    public static KeyRevoked Revoked() => new() { Key = Key, OccurredAt = At, OperationId = "op-1", VersionId = "v1", ConsoleUrl = Console };

    public static KeyRevoked RevocationFailed() => new() { Key = Key, OccurredAt = At, OperationId = "op-1", VersionId = "v1", Succeeded = false, Error = "the provider answered 500.", ConsoleUrl = Console };

    public static KeyExpiringSoon Expiring() => new() { Key = Key, OccurredAt = At, VersionId = "v1", ExpiresAt = At + Duration.FromDays(7) };

    public static RotationOverdue Overdue(int reminders = 1) => new() { Key = Key, OccurredAt = At, DueAt = At - Duration.FromDays(2), ReminderCount = reminders, ConsoleUrl = Console };

    public static KeyKilled Killed() => new() { Key = Key, OccurredAt = At, VersionId = "v1" };
}
