using IronCage.Storage;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// Checks, for a rotation in its grace period, whether the old version may be revoked yet: reads the heartbeats and
/// asks the consumers that report adoption, decides with <see cref="AdoptionDecision"/>, records what it waits for on
/// the operation and announces when that changed. Used only with <see cref="RotationOptions.WaitForAdoption"/>.
/// </summary>
internal sealed class AdoptionGate
{
    private readonly IInstanceHeartbeatStore _heartbeats;
    private readonly IKeyAdoptionReporter[] _reporters;
    private readonly ManagedKeyWriter _keys;
    private readonly OperationRecorder _recorder;
    private readonly RotationJournal _journal;
    private readonly IClock _clock;
    private readonly RotationOptions _options;

    public AdoptionGate(IInstanceHeartbeatStore heartbeats, IEnumerable<IKeyAdoptionReporter> reporters, KeyDistributor distributor, ManagedKeyWriter keys, OperationRecorder recorder, RotationJournal journal, IClock clock, IOptions<RotationOptions> options)
    {
        _heartbeats = heartbeats;
        _reporters = [.. reporters.Concat(distributor.AdoptionReporters).Distinct()];
        _keys = keys;
        _recorder = recorder;
        _journal = journal;
        _clock = clock;
        _options = options.Value;
    }

    /// <summary>Whether <paramref name="operation"/> (in its grace period, <see cref="RotationOperation.AdoptionNotBefore"/> set) may revoke now; the operation comes back with the check recorded.</summary>
    public async Task<(RotationOperation Operation, bool MayRevoke)> CheckAsync(RotationOperation operation, CancellationToken cancellationToken)
    {
        var now = _clock.GetCurrentInstant();
        var managed = await _keys.GetAsync(operation.Key, cancellationToken).ConfigureAwait(false);
        var pending = new List<string>();
        foreach (var reporter in _reporters)
        {
            if (reporter.AppliesTo(managed) && !await HasAdoptedAsync(reporter, managed, operation.NewVersionId, cancellationToken).ConfigureAwait(false))
            {
                pending.Add(reporter.Name);
            }
        }

        var heartbeats = await _heartbeats.ListAsync(operation.RequestedAt - _options.InstanceTimeout, cancellationToken).ConfigureAwait(false);
        var status = AdoptionDecision.Evaluate(operation.Key, operation.PreviousVersionId ?? string.Empty, now, operation.AdoptionNotBefore ?? now, operation.GraceEndsAt ?? now, _options.InstanceTimeout, heartbeats, pending);
        var changed = !AdoptionDecision.SameStory(operation.Adoption, status);
        var nextCheck = status.MayRevoke ? (Instant?)null : Min(now + _options.AdoptionCheckInterval, operation.GraceEndsAt ?? now);
        if (status.State == KeyAdoptionState.WaitingForFloor && operation.AdoptionNotBefore is { } floor)
        {
            nextCheck = floor;
        }

        operation = await _recorder.UpdateAsync(operation with { Adoption = changed ? status : operation.Adoption! with { CheckedAt = now }, AdoptionCheckAt = nextCheck }, cancellationToken).ConfigureAwait(false);
        if (changed)
        {
            await _journal.AdoptionProgressedAsync(operation, status, cancellationToken).ConfigureAwait(false);
        }

        return (operation, status.MayRevoke);
    }

    private static Instant Min(Instant a, Instant b) => a < b ? a : b;

    // A consumer that cannot answer has not adopted: the wait goes on (the ceiling still ends it).
    private static async ValueTask<bool> HasAdoptedAsync(IKeyAdoptionReporter reporter, ManagedKey managed, string versionId, CancellationToken cancellationToken)
    {
        try
        {
            return await reporter.HasAdoptedAsync(managed, versionId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StepFailures.IsStepFailure(ex, cancellationToken))
        {
            return false;
        }
    }
}
