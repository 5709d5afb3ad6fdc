using IronCage.Providers;
using IronCage.Usage;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// Something that happened to a managed key, delivered to in-process subscribers (<see cref="IRotationEventSubscriber"/>)
/// and to notification sinks (<see cref="INotificationSink"/>). Never carries a secret.
/// </summary>
public abstract record RotationEvent
{
    /// <summary>Gets the managed key.</summary>
    public required KeyReference Key { get; init; }

    /// <summary>Gets when it happened.</summary>
    public required Instant OccurredAt { get; init; }

    /// <summary>Gets the rotation operation it belongs to, if any.</summary>
    public string? OperationId { get; init; }

    /// <summary>Gets the event's type name, as written to webhooks (<c>rotation.completed</c>, …).</summary>
    public abstract string Type { get; }

    /// <summary>Gets how urgent it is.</summary>
    public abstract EventSeverity Severity { get; }

    /// <summary>Describes the event in one sentence for people.</summary>
    /// <returns>The sentence.</returns>
    public abstract string Describe();
}

/// <summary>A rotation started.</summary>
public sealed record RotationStarted : RotationEvent
{
    /// <summary>Gets why.</summary>
    public required RotationReason Reason { get; init; }

    /// <summary>Gets the strategy.</summary>
    public required RotationTier Tier { get; init; }

    /// <inheritdoc />
    public override string Type => "rotation.started";

    /// <inheritdoc />
    public override EventSeverity Severity => Reason == RotationReason.Compromised ? EventSeverity.Warning : EventSeverity.Info;

    /// <inheritdoc />
    public override string Describe() => $"Rotation of {Key} started ({Reason}, {Tier}).";
}

/// <summary>A rotation completed: the new version is current and the old one revoked.</summary>
public sealed record RotationCompleted : RotationEvent
{
    /// <summary>Gets the new current version.</summary>
    public required string VersionId { get; init; }

    /// <summary>Gets the new key's display hint.</summary>
    public string? DisplayHint { get; init; }

    /// <inheritdoc />
    public override string Type => "rotation.completed";

    /// <inheritdoc />
    public override EventSeverity Severity => EventSeverity.Info;

    /// <inheritdoc />
    public override string Describe() => $"Rotation of {Key} completed: {DisplayHint ?? VersionId} is current.";
}

/// <summary>A rotation failed before promotion and was rolled back; the old key stays current.</summary>
public sealed record RotationFailed : RotationEvent
{
    /// <summary>Gets the step that failed.</summary>
    public required RotationStep Step { get; init; }

    /// <summary>Gets why, without secrets.</summary>
    public required string Reason { get; init; }

    /// <inheritdoc />
    public override string Type => "rotation.failed";

    /// <inheritdoc />
    public override EventSeverity Severity => EventSeverity.Warning;

    /// <inheritdoc />
    public override string Describe() => $"Rotation of {Key} failed at {Step} and was rolled back: {Reason}";
}

/// <summary>A key version was revoked at the provider (or retired locally where the provider has no API), or revoking it failed for good.</summary>
public sealed record KeyRevoked : RotationEvent
{
    /// <summary>Gets the version.</summary>
    public required string VersionId { get; init; }

    /// <summary>Gets a value indicating whether revocation succeeded; when not, a person must revoke the key at the provider.</summary>
    public bool Succeeded { get; init; } = true;

    /// <summary>Gets why it failed, when it did.</summary>
    public string? Error { get; init; }

    /// <summary>
    /// Gets a value indicating whether the version was only retired in IronCage (never served again) because the provider
    /// has no API to revoke it: a person must still delete it at <see cref="ConsoleUrl"/>.
    /// </summary>
    public bool LocalOnly { get; init; }

    /// <summary>Gets where a person revokes or deletes the key by hand.</summary>
    public Uri? ConsoleUrl { get; init; }

    /// <inheritdoc />
    public override string Type => !Succeeded ? "key.revocation_failed" : LocalOnly ? "key.retired_locally" : "key.revoked";

    /// <inheritdoc />
    public override EventSeverity Severity => !Succeeded ? EventSeverity.Critical : LocalOnly ? EventSeverity.Warning : EventSeverity.Info;

    /// <inheritdoc />
    public override string Describe() => !Succeeded
        ? $"Version {VersionId} of {Key} could not be revoked: {Error} It is no longer served; revoke it by hand at {ConsoleUrl}."
        : LocalOnly
            ? $"Version {VersionId} of {Key} is no longer served, but the provider has no API to revoke it: delete it at {ConsoleUrl}."
            : $"Version {VersionId} of {Key} was revoked.";
}

/// <summary>A key expires at the provider soon.</summary>
public sealed record KeyExpiringSoon : RotationEvent
{
    /// <summary>Gets the version.</summary>
    public required string VersionId { get; init; }

    /// <summary>Gets when it expires.</summary>
    public required Instant ExpiresAt { get; init; }

    /// <inheritdoc />
    public override string Type => "key.expiring_soon";

    /// <inheritdoc />
    public override EventSeverity Severity => EventSeverity.Warning;

    /// <inheritdoc />
    public override string Describe() => $"Version {VersionId} of {Key} expires at the provider at {ExpiresAt}; rotate it before then.";
}

/// <summary>A key is older than its policy allows and must be rotated by a person (manual and semi-automatic tiers), or an automatic rotation keeps failing.</summary>
public sealed record RotationOverdue : RotationEvent
{
    /// <summary>Gets when it was due.</summary>
    public required Instant DueAt { get; init; }

    /// <summary>Gets how many reminders were sent for it, this one included; severity grows with it.</summary>
    public required int ReminderCount { get; init; }

    /// <summary>Gets where a person creates the new key.</summary>
    public Uri? ConsoleUrl { get; init; }

    /// <inheritdoc />
    public override string Type => "rotation.overdue";

    /// <inheritdoc />
    public override EventSeverity Severity => ReminderCount >= 3 ? EventSeverity.Critical : EventSeverity.Warning;

    /// <inheritdoc />
    public override string Describe() => $"{Key} was due for rotation at {DueAt} (reminder {ReminderCount}). Create a new key at {ConsoleUrl} and record it in IronCage.";
}

/// <summary>A key version was killed locally: it is never served again.</summary>
public sealed record KeyKilled : RotationEvent
{
    /// <summary>Gets the version.</summary>
    public required string VersionId { get; init; }

    /// <inheritdoc />
    public override string Type => "key.killed";

    /// <inheritdoc />
    public override EventSeverity Severity => EventSeverity.Warning;

    /// <inheritdoc />
    public override string Describe() => $"Version {VersionId} of {Key} was killed and is no longer served.";
}

/// <summary>
/// A usage alert of usage tracking (IronCage.Usage's <see cref="UsageAlert"/>), delivered through the same
/// subscribers and notification sinks as rotation events, so the logger, webhook and Slack sinks report it.
/// </summary>
public sealed record UsageAlertRaised : RotationEvent
{
    /// <summary>Gets the alert.</summary>
    public required UsageAlert Alert { get; init; }

    /// <inheritdoc />
    /// <remarks><c>usage.threshold_reached</c>, <c>usage.limit_reached</c>, <c>usage.error_spike</c>, <c>usage.spend_velocity</c> or <c>usage.projected_over_limit</c>.</remarks>
    public override string Type => "usage." + System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(Alert.Kind.ToString());

    /// <inheritdoc />
    public override EventSeverity Severity => Alert.Kind == UsageAlertKind.LimitReached ? EventSeverity.Critical : EventSeverity.Warning;

    /// <summary>Creates the event for an alert.</summary>
    /// <param name="alert">The alert.</param>
    /// <returns>The event.</returns>
    public static UsageAlertRaised From(UsageAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return new UsageAlertRaised { Key = alert.Key, OccurredAt = alert.OccurredAt, Alert = alert };
    }

    /// <inheritdoc />
    public override string Describe() => Alert.Describe();
}
