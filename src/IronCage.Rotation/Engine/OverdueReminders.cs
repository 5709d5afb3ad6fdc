using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// The engine's reminder command: while a rotation waits for a person to supply the new key (semi-automatic and manual
/// tiers), it raises <see cref="RotationOverdue"/> at most once per <see cref="RotationSchedulerOptions.ReminderInterval"/>.
/// The reminder is recorded on the operation before it is sent and the store checks the operation's concurrency token,
/// so two instances (or a retried pass) never send the same reminder twice; a crash between the two loses one reminder
/// rather than repeating it.
/// </summary>
internal sealed class OverdueReminders(OperationRecorder operations, RotationEventPublisher events, RotationProviders providers, IOptions<RotationSchedulerOptions> options)
{
    private readonly Duration _interval = options.Value.ReminderInterval;

    /// <summary>Whether <paramref name="operation"/> is owed a reminder at <paramref name="now"/>.</summary>
    public bool IsDue(RotationOperation operation, Instant now)
        => operation.Step == RotationStep.AwaitingNewKey && (operation.LastReminderAt is not { } last || now - last >= _interval);

    /// <summary>Sends the next reminder for <paramref name="operation"/> if one is owed.</summary>
    /// <returns>Whether a reminder was sent.</returns>
    public async Task<bool> SendAsync(RotationOperation operation, Instant now, CancellationToken cancellationToken)
    {
        if (!IsDue(operation, now))
        {
            return false;
        }

        var count = operation.RemindersSent + 1;
        try
        {
            await operations.UpdateAsync(operation with { RemindersSent = count, LastReminderAt = now }, cancellationToken).ConfigureAwait(false);
        }
        catch (RotationConflictException)
        {
            // Another instance moved the operation on (or recorded this reminder) since it was read.
            return false;
        }

        await events.PublishAsync(
            new RotationOverdue { Key = operation.Key, OccurredAt = now, OperationId = operation.OperationId, DueAt = operation.RequestedAt, ReminderCount = count, ConsoleUrl = providers.ConsoleUri(operation.Key.Provider) },
            cancellationToken).ConfigureAwait(false);
        return true;
    }
}
