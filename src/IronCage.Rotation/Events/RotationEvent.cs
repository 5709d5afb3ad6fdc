using System.Text.Json;
using IronCage.Notifications;
using IronCage.Providers;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// Something the rotation flow did to a managed key, delivered to in-process subscribers (<see cref="IRotationEventSubscriber"/>,
/// awaited) and, through the notification outbox, to the notification sinks (<see cref="INotificationSink"/>, in the
/// background). Never carries a secret.
/// </summary>
public abstract record RotationEvent : NotificationEvent;

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

    /// <inheritdoc />
    protected override void WritePayloadFields(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("reason", PayloadName(Reason));
        writer.WriteString("tier", PayloadName(Tier));
    }
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

    /// <inheritdoc />
    protected override void WritePayloadFields(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("versionId", VersionId);
        writer.WriteString("displayHint", DisplayHint);
    }
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

    /// <inheritdoc />
    protected override void WritePayloadFields(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("step", PayloadName(Step));
        writer.WriteString("reason", Reason);
    }
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
    /// has no API to revoke it: a person must still delete it at <see cref="NotificationEvent.ConsoleUrl"/>.
    /// </summary>
    public bool LocalOnly { get; init; }

    /// <summary>
    /// Gets when a version that nothing can revoke (a generated key, such as an Amazon Bedrock short-term API key) stops
    /// working on its own (or stopped, when that is before <see cref="NotificationEvent.OccurredAt"/>): it is no longer
    /// served, and stays valid at the provider until then. There is nothing for a person to do. <see langword="null"/>
    /// for every other key.
    /// </summary>
    public Instant? ValidUntil { get; init; }

    /// <inheritdoc />
    public override string Type => !Succeeded ? "key.revocation_failed" : LocalOnly ? "key.retired_locally" : "key.revoked";

    /// <inheritdoc />
    public override EventSeverity Severity => !Succeeded ? EventSeverity.Critical : LocalOnly && ValidUntil is null ? EventSeverity.Warning : EventSeverity.Info;

    /// <inheritdoc />
    public override string Describe() => !Succeeded
        ? $"Version {VersionId} of {Key} could not be revoked: {Error} It is no longer served; revoke it by hand at {ConsoleUrl}."
        : ValidUntil is { } until
            ? until > OccurredAt
                ? $"Version {VersionId} of {Key} is no longer served. Nothing can revoke it: it stays valid until it expires at {until}."
                : $"Version {VersionId} of {Key} is no longer served; nothing could revoke it, and it expired at {until}."
            : LocalOnly
                ? $"Version {VersionId} of {Key} is no longer served, but the provider has no API to revoke it: delete it at {ConsoleUrl}."
                : $"Version {VersionId} of {Key} was revoked.";

    /// <inheritdoc />
    protected override void WritePayloadFields(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("versionId", VersionId);
        writer.WriteBoolean("succeeded", Succeeded);
        writer.WriteString("error", Error);
        if (ValidUntil is { } until)
        {
            writer.WriteString("validUntil", PayloadInstant(until));
        }
    }
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

    /// <inheritdoc />
    protected override void WritePayloadFields(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("versionId", VersionId);
        writer.WriteString("expiresAt", PayloadInstant(ExpiresAt));
    }
}

/// <summary>A key is older than its policy allows and must be rotated by a person (manual and semi-automatic tiers), or an automatic rotation keeps failing.</summary>
public sealed record RotationOverdue : RotationEvent
{
    /// <summary>Gets when it was due.</summary>
    public required Instant DueAt { get; init; }

    /// <summary>Gets how many reminders were sent for it, this one included; severity grows with it.</summary>
    public required int ReminderCount { get; init; }

    /// <inheritdoc />
    public override string Type => "rotation.overdue";

    /// <inheritdoc />
    public override EventSeverity Severity => ReminderCount >= 3 ? EventSeverity.Critical : EventSeverity.Warning;

    /// <inheritdoc />
    public override string Describe() => $"{Key} was due for rotation at {DueAt} (reminder {ReminderCount}). Create a new key at {ConsoleUrl} and record it in IronCage.";

    /// <inheritdoc />
    protected override void WritePayloadFields(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("dueAt", PayloadInstant(DueAt));
        writer.WriteNumber("reminderCount", ReminderCount);
    }
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

    /// <inheritdoc />
    protected override void WritePayloadFields(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("versionId", VersionId);
    }
}
