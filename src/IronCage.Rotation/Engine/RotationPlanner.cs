using IronCage.Providers;
using IronCage.Storage;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>The dry run (<see cref="IKeyRotator.PlanAsync"/>): what would rotate, when, and by which strategy.</summary>
internal sealed class RotationPlanner
{
    private readonly IKeyStore _keys;
    private readonly OperationRecorder _recorder;
    private readonly RotationDueEvaluator _due;
    private readonly RotationProviders _providers;
    private readonly RotationStrategies _strategies;

    public RotationPlanner(IKeyStore keys, OperationRecorder recorder, RotationDueEvaluator due, RotationProviders providers, RotationStrategies strategies)
    {
        _keys = keys;
        _recorder = recorder;
        _due = due;
        _providers = providers;
        _strategies = strategies;
    }

    public async Task<RotationPlan> PlanAsync(Instant now, CancellationToken cancellationToken)
    {
        var items = new List<PlannedRotation>();
        await foreach (var key in _keys.ListAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var tier = _providers.TierOf(key.Provider);
            var active = await _recorder.FindActiveAsync(key.Reference, cancellationToken).ConfigureAwait(false);
            if (active is not null)
            {
                items.Add(PlanActive(key, tier, active, now));
                continue;
            }

            var decision = await _due.EvaluateAsync(key, now, cancellationToken).ConfigureAwait(false);
            if (decision.DueAt is null && !decision.IsDue)
            {
                continue;
            }

            var action = _strategies.For(tier).AwaitsSuppliedKey ? PlannedAction.Remind : PlannedAction.Rotate;
            var detail = decision.IsDue
                ? action == PlannedAction.Rotate ? $"Rotate now with the {tier} strategy." : $"Remind a person to create a new key at {_providers.ConsoleUrl(key.Provider)}."
                : decision.Detail;
            if (_providers.MissingAdapterFix(key.Provider) is { } fix)
            {
                detail += " " + fix;
            }

            items.Add(new PlannedRotation(key.Reference, decision.IsDue ? action : PlannedAction.None, tier, decision.DueAt, decision.IsDue, detail));
        }

        return new RotationPlan(now, items);
    }

    private static PlannedRotation PlanActive(ManagedKey key, RotationTier tier, RotationOperation active, Instant now) => active.Step switch
    {
        _ when active.RollbackReason is not null => new(key.Reference, PlannedAction.Resume, tier, active.NextAttemptAt ?? active.UpdatedAt, (active.NextAttemptAt ?? now) <= now, $"Rotation {active.OperationId} is rolling back and waits for {string.Join(", ", active.DistributedTo.Select(c => c.Target))} to take the old key back before the new key is discarded."),
        RotationStep.AwaitingNewKey => new(key.Reference, PlannedAction.AwaitNewKey, tier, active.RequestedAt, false, $"Rotation {active.OperationId} waits for a person to supply the new key."),
        RotationStep.GracePeriod when active.AdoptionNotBefore is { } notBefore => new(key.Reference, WaitIsOver(active, now) ? PlannedAction.CompleteGrace : PlannedAction.None, tier, active.AdoptionCheckAt ?? active.GraceEndsAt, WaitIsOver(active, now), $"Rotation {active.OperationId} is in its grace period until {active.GraceEndsAt} at the latest and revokes the old key once it is adopted, not before {notBefore}: {active.Adoption?.Summary ?? "not checked yet"}.")
        {
            Adoption = active.Adoption,
        },
        RotationStep.GracePeriod => new(key.Reference, active.GraceEndsAt <= now ? PlannedAction.CompleteGrace : PlannedAction.None, tier, active.GraceEndsAt, active.GraceEndsAt <= now, $"Rotation {active.OperationId} is in its grace period until {active.GraceEndsAt}."),
        _ => new(key.Reference, PlannedAction.Resume, tier, active.NextAttemptAt ?? active.UpdatedAt, (active.NextAttemptAt ?? now) <= now, $"Rotation {active.OperationId} stopped at {active.Step}."),
    };

    private static bool WaitIsOver(RotationOperation active, Instant now) => active.GraceEndsAt <= now || active.Adoption is { MayRevoke: true };
}
