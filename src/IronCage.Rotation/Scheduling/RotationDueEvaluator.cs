using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// The one decision of whether a key is due, shared by <see cref="IKeyRotator.PlanAsync"/> and the scheduler so the
/// plan always says what the scheduler then does: the policy's next due instant (its schedule, or the renewal of a key
/// before it expires: <see cref="ManagedKeyDue.RotationDueAt"/>, the rule the stored next-due time follows too), inside
/// its maintenance window, not while backing off from failed rotations, and never for a key with nothing current to replace.
/// </summary>
internal sealed class RotationDueEvaluator
{
    private readonly IRotationStore _operations;
    private readonly RotationOptions _options;

    public RotationDueEvaluator(IRotationStore operations, Microsoft.Extensions.Options.IOptions<RotationOptions> options)
    {
        _operations = operations;
        _options = options.Value;
    }

    public async Task<DueDecision> EvaluateAsync(ManagedKey key, Instant now, CancellationToken cancellationToken)
    {
        var current = key.CurrentVersion;
        if (current is null || current.KilledAt is not null)
        {
            return new DueDecision(false, null, "Nothing current to rotate (revoked or killed): register or record a new key by hand.");
        }

        if (ManagedKeyDue.RotationDueAt(key) is not { } due)
        {
            return new DueDecision(false, null, "No schedule: rotates on demand only.");
        }

        if (due > now)
        {
            return new DueDecision(false, due, $"Next due at {due}.");
        }

        if (key.Policy.Window is { } window && !window.Contains(now))
        {
            var opening = window.NextOpening(now);
            return new DueDecision(false, opening, $"Due, waiting for the maintenance window at {opening}.");
        }

        var (failures, lastFailure) = await RecentFailuresAsync(key.Reference, cancellationToken).ConfigureAwait(false);
        if (failures > 0 && lastFailure + _options.BackoffFor(failures) is var retryAt && retryAt > now)
        {
            return new DueDecision(false, retryAt, $"Due, backing off after {failures} failed rotation(s) until {retryAt}.");
        }

        return new DueDecision(true, due, "Due now.");
    }

    private async Task<(int Failures, Instant LastFailure)> RecentFailuresAsync(KeyReference key, CancellationToken cancellationToken)
    {
        var failures = 0;
        Instant? lastFailure = null;
        await foreach (var operation in _operations.ListForKeyAsync(key, cancellationToken).ConfigureAwait(false))
        {
            if (operation.Step != RotationStep.Failed)
            {
                break;
            }

            failures++;
            lastFailure ??= operation.EndedAt ?? operation.UpdatedAt;
        }

        return (failures, lastFailure ?? Instant.MinValue);
    }
}

/// <summary>Whether a key is due, and when it will be if not now.</summary>
/// <param name="IsDue">Whether it is due now.</param>
/// <param name="DueAt">When it is (or will be) due, if it has a schedule.</param>
/// <param name="Detail">A sentence for people.</param>
internal readonly record struct DueDecision(bool IsDue, Instant? DueAt, string Detail);
