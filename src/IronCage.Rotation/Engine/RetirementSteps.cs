using IronCage.Providers;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// The steps from promotion on, and everything that retires an old key: promoted, grace period, previous revoked,
/// completed; the revoke-first path of emergencies and revocations; the local kill switch.
/// </summary>
internal sealed class RetirementSteps
{
    private readonly ManagedKeyWriter _keys;
    private readonly RotationStrategies _strategies;
    private readonly RotationProviders _providers;
    private readonly OperationRecorder _recorder;
    private readonly RotationJournal _journal;
    private readonly IClock _clock;
    private readonly RotationOptions _options;
    private readonly IronCageOptions _ironCageOptions;
    private readonly FailureDescriber _describer;

    public RetirementSteps(ManagedKeyWriter keys, RotationStrategies strategies, RotationProviders providers, OperationRecorder recorder, RotationJournal journal, IClock clock, IOptions<RotationOptions> options, IOptions<IronCageOptions> ironCageOptions, FailureDescriber describer)
    {
        _describer = describer;
        _keys = keys;
        _strategies = strategies;
        _providers = providers;
        _recorder = recorder;
        _journal = journal;
        _clock = clock;
        _options = options.Value;
        _ironCageOptions = ironCageOptions.Value;
    }

    /// <summary>Distributed → Promoted: the new key is Current; a compromised key is never served again, even before it is revoked.</summary>
    public StepOutcome Promote(RotationOperation operation)
    {
        var now = _clock.GetCurrentInstant();
        return new StepOutcome(operation with { Step = RotationStep.Promoted })
        {
            KeyChange = managed => ManagedKeyTransitions.Promote(managed, operation.NewVersionId, now, killReplaced: operation.Reason == RotationReason.Compromised),
        };
    }

    /// <summary>Promoted → GracePeriod: none for emergencies, for a first version, or when the old key is already revoked.</summary>
    public async Task<StepOutcome> StartGraceAsync(RotationOperation operation, ManagedKey? known, CancellationToken cancellationToken)
    {
        var managed = known ?? await _keys.GetAsync(operation.Key, cancellationToken).ConfigureAwait(false);
        var grace = operation.Reason == RotationReason.Compromised || operation.PreviousVersionId is null || operation.EarlyRevocation != EarlyRevocation.None
            ? Duration.Zero
            : operation.GracePeriodOverride ?? managed.Policy.GracePeriod ?? _ironCageOptions.DefaultGracePeriod;
        var now = _clock.GetCurrentInstant();
        if (_strategies.For(operation.Tier).OldKeyLivesUntilExpiry && managed.FindVersion(operation.PreviousVersionId ?? string.Empty) is { ExpiresAt: { } expires })
        {
            // Nothing revokes the old key: it stops working at its expiry, so a grace period past it would only delay
            // the record of what already happened (and the next renewal behind it).
            var left = expires > now ? expires - now : Duration.Zero;
            grace = left < grace ? left : grace;
        }

        if (_options.WaitForAdoption && grace > Duration.Zero)
        {
            // The floor delays a complete adoption; the grace period stays the ceiling.
            var notBefore = now + (_options.AdoptionFloor < grace ? _options.AdoptionFloor : grace);
            return new StepOutcome(operation with { Step = RotationStep.GracePeriod, GraceEndsAt = now + grace, AdoptionNotBefore = notBefore, AdoptionCheckAt = notBefore }) { Key = managed };
        }

        return new StepOutcome(operation with { Step = RotationStep.GracePeriod, GraceEndsAt = now + grace }) { Key = managed };
    }

    /// <summary>GracePeriod (ended) → PreviousRevoked. Never revokes a key that is still Current, except when revoking is the whole operation.</summary>
    public async Task<StepOutcome> RevokePreviousAsync(RotationOperation operation, ManagedKey? known, CancellationToken cancellationToken)
    {
        var revocation = operation.Kind == RotationOperationKind.Revocation;
        var next = operation with { Step = RotationStep.PreviousRevoked };
        if (operation.PreviousVersionId is { } previous && operation.EarlyRevocation == EarlyRevocation.None)
        {
            var managed = known ?? await _keys.GetAsync(operation.Key, cancellationToken).ConfigureAwait(false);
            var version = managed.FindVersion(previous);
            if (version is { Stage: KeyStage.Current } && !revocation)
            {
                throw new IronCageException($"Rotation {operation.OperationId} refused to revoke version {previous} of '{operation.Key}': it is still Current.");
            }

            if (version is not null && version.Stage != KeyStage.Revoked)
            {
                if (revocation)
                {
                    managed = await KillAsync(operation.Key, previous, managed, cancellationToken).ConfigureAwait(false);
                }

                await RetireAtProviderAsync(operation, managed, cancellationToken).ConfigureAwait(false);

                // Marked revoked in the write that records the step; announced once that write committed.
                var localOnly = IsLocalOnly(operation.Key);
                var validUntil = ValidUntil(operation.Tier, version);
                var now = _clock.GetCurrentInstant();
                return new StepOutcome(next)
                {
                    Key = managed,
                    KeyChange = current => ManagedKeyTransitions.MarkRevoked(current, previous, now),
                    AfterKeyChange = token => _journal.RevokedAsync(operation.Key, previous, operation.OperationId, localOnly, _providers.ConsoleUri(operation.Key.Provider), now, token, validUntil),
                };
            }

            return new StepOutcome(next) { Key = managed };
        }

        return next;
    }

    /// <summary>PreviousRevoked → Completed. Audited and announced before it is recorded: a crash in between resumes and announces again rather than never.</summary>
    public async Task<StepOutcome> CompleteAsync(RotationOperation operation)
    {
        var now = _clock.GetCurrentInstant();
        var record = await _journal.CompletedAsync(operation, now).ConfigureAwait(false);
        return new StepOutcome(operation with { Step = RotationStep.Completed, EndedAt = now }) { Audit = [record] };
    }

    // Revoke-first (and revoke-only): kill the old version at once, then revoke it at the provider. A provider that
    // refuses is a revocation failure (critical alert, version marked), not a reason to stop: the key stays killed and
    // a revoke-first rotation still goes on to create the replacement.
    public Task<RotationOperation> RevokePreviousEarlyAsync(RotationOperation operation, CancellationToken cancellationToken) => RevokePreviousEarlyAsync(operation, null, cancellationToken);

    /// <summary>Revoke-first, starting from <paramref name="known"/> (a copy of the key just read) when given.</summary>
    public async Task<RotationOperation> RevokePreviousEarlyAsync(RotationOperation operation, ManagedKey? known, CancellationToken cancellationToken)
    {
        var outcome = EarlyRevocation.Revoked;
        if (operation.PreviousVersionId is { } previous)
        {
            var killed = await KillAsync(operation.Key, previous, known, cancellationToken).ConfigureAwait(false);
            try
            {
                await RetireWithImmediateRetriesAsync(operation, killed, cancellationToken).ConfigureAwait(false);
                await MarkRevokedAsync(operation.Key, previous, operation.OperationId, killed, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (StepFailures.IsStepFailure(ex, cancellationToken))
            {
                outcome = EarlyRevocation.Failed;
                var reason = await _describer.DescribeAsync(operation, ex, cancellationToken).ConfigureAwait(false);
                await MarkRevocationFailedAsync(operation.Key, previous, cancellationToken).ConfigureAwait(false);
                await _journal.RevocationFailedAsync(operation, previous, 1, reason, _providers.ConsoleUri(operation.Key.Provider), cancellationToken).ConfigureAwait(false);
                operation = operation with { LastError = reason };
            }
        }

        var next = operation with { EarlyRevocation = outcome };
        return operation.Step == RotationStep.AwaitingNewKey ? await _recorder.PersistAsync(next, cancellationToken).ConfigureAwait(false) : next;
    }

    public Uri? ConsoleUri(ProviderId provider) => _providers.ConsoleUri(provider);

    /// <summary>Kills a version locally; only the call that actually killed it tells the world (a resumed step must not repeat it).</summary>
    public Task<ManagedKey> KillAsync(KeyReference key, string versionId, CancellationToken cancellationToken) => KillAsync(key, versionId, null, cancellationToken);

    /// <summary>Kills a version locally, starting from <paramref name="known"/> when given.</summary>
    public async Task<ManagedKey> KillAsync(KeyReference key, string versionId, ManagedKey? known, CancellationToken cancellationToken)
    {
        var now = _clock.GetCurrentInstant();
        var (updated, changed) = await _keys.UpdateAsync(key, managed => ManagedKeyTransitions.Kill(managed, versionId, now), known, cancellationToken).ConfigureAwait(false);
        if (changed)
        {
            await _journal.KilledAsync(key, versionId, now, cancellationToken).ConfigureAwait(false);
        }

        return updated;
    }

    /// <summary>The old key stays live at the provider: at least stop serving it and mark the version, so it is visible.</summary>
    public async Task MarkRevocationFailedAsync(KeyReference key, string versionId, CancellationToken cancellationToken)
    {
        var now = _clock.GetCurrentInstant();
        await _keys.UpdateAsync(key, managed => ManagedKeyTransitions.MarkRevocationFailed(managed, versionId, now), cancellationToken).ConfigureAwait(false);
    }

    // Retires the previous key at the provider the way its tier's strategy does; nothing to call where a person
    // retires it in the console (IronCage stops serving it).
    private async Task RetireAtProviderAsync(RotationOperation operation, ManagedKey? known, CancellationToken cancellationToken)
    {
        var strategy = _strategies.For(operation.Tier);
        if (_providers.Find(operation.Key.Provider) is not { } adapter || !strategy.RetiresAtProvider)
        {
            return;
        }

        var managed = known ?? await _keys.GetAsync(operation.Key, cancellationToken).ConfigureAwait(false);
        var previous = managed.FindVersion(operation.PreviousVersionId ?? string.Empty);
        var providerKeyId = previous?.ProviderKeyId ?? operation.PreviousProviderKeyId
            ?? throw new IronCageException($"Version {operation.PreviousVersionId} of '{operation.Key}' has no provider-side id, so IronCage cannot revoke it. Revoke it at {_providers.ConsoleUrl(operation.Key.Provider)}.");
        await strategy.RetireAsync(new RotationStrategyContext(operation, managed, adapter), previous, providerKeyId, cancellationToken).ConfigureAwait(false);
    }

    private async Task RetireWithImmediateRetriesAsync(RotationOperation operation, ManagedKey? known, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await RetireAtProviderAsync(operation, known, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ProviderRequestException ex) when (StepFailures.IsRetryable(ex.Kind) && attempt < _options.ImmediateRetries)
            {
                await StepFailures.DelayAsync(_options, ex, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // A key nothing can revoke (generated) stays valid until its own expiry: the retirement says until when, never that it was revoked.
    private Instant? ValidUntil(RotationTier tier, KeyVersion? version)
        => _strategies.For(tier).OldKeyLivesUntilExpiry ? version?.ExpiresAt : null;

    private bool IsLocalOnly(KeyReference key) => _providers.Find(key.Provider) is null || !_strategies.For(_providers.TierOf(key.Provider)).RetiresAtProvider;

    private async Task MarkRevokedAsync(KeyReference key, string versionId, string operationId, ManagedKey? known, CancellationToken cancellationToken)
    {
        var localOnly = IsLocalOnly(key);
        var validUntil = ValidUntil(_providers.TierOf(key.Provider), known?.FindVersion(versionId));
        var now = _clock.GetCurrentInstant();
        await _keys.UpdateAsync(key, managed => ManagedKeyTransitions.MarkRevoked(managed, versionId, now), known, cancellationToken).ConfigureAwait(false);
        await _journal.RevokedAsync(key, versionId, operationId, localOnly, _providers.ConsoleUri(key.Provider), now, cancellationToken, validUntil).ConfigureAwait(false);
    }
}
