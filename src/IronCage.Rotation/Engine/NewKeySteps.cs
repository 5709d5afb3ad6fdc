using IronCage.Providers;
using IronCage.Verification;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// The steps that bring the new key in, up to the point where it could be promoted: obtained (by the tier's strategy),
/// stored as Pending, verified, distributed. Each returns the operation at its next step; the engine persists it.
/// </summary>
internal sealed class NewKeySteps
{
    private readonly ManagedKeyWriter _keys;
    private readonly RotationStrategies _strategies;
    private readonly RotationProviders _providers;
    private readonly OperationRecorder _recorder;
    private readonly SecretSealer _sealer;
    private readonly KeyDistributor _distributor;
    private readonly OrphanSweep _sweep;
    private readonly RotationJournal _journal;
    private readonly IClock _clock;

    public NewKeySteps(ManagedKeyWriter keys, RotationStrategies strategies, RotationProviders providers, OperationRecorder recorder, SecretSealer sealer, KeyDistributor distributor, OrphanSweep sweep, RotationJournal journal, IClock clock)
    {
        _keys = keys;
        _strategies = strategies;
        _providers = providers;
        _recorder = recorder;
        _sealer = sealer;
        _distributor = distributor;
        _sweep = sweep;
        _journal = journal;
        _clock = clock;
    }

    /// <summary>Whether operations of <paramref name="tier"/> wait for a person to supply the new key.</summary>
    public bool AwaitsSuppliedKey(RotationTier tier) => _strategies.For(tier).AwaitsSuppliedKey;

    /// <summary>Requested → CreatedAtProvider. The engine owns create ambiguity: the attempt is recorded before the call, and a repeated attempt first sweeps what the lost one may have left.</summary>
    public async Task<StepOutcome> ObtainAsync(RotationOperation operation, ManagedKey? known, CancellationToken cancellationToken)
    {
        var managed = known ?? await _keys.GetAsync(operation.Key, cancellationToken).ConfigureAwait(false);
        var strategy = _strategies.For(operation.Tier);
        var context = new RotationStrategyContext(operation, managed, _providers.Find(operation.Key.Provider));
        context.RequireAdapter();
        if (strategy.CreatesNamedKeys)
        {
            if (!operation.CreateAttempted)
            {
                operation = await _recorder.PersistAsync(operation with { CreateAttempted = true }, cancellationToken).ConfigureAwait(false);
                context = context with { Operation = operation };
            }
            else
            {
                await _sweep.SweepAsync(context, strategy, cancellationToken).ConfigureAwait(false);
            }
        }

        ObtainedKey obtained;
        try
        {
            obtained = await strategy.ObtainAsync(context, supplied: null, cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderRequestException ex) when (strategy.CreatesNamedKeys && ex.Kind == ProviderErrorKind.InvalidKey)
        {
            // The provider did not accept the credential (an inference key given as the adapter's admin key, say): an
            // unauthenticated create made nothing, so neither a retry nor the rollback looks for a key it may have left.
            await _recorder.PersistAsync(operation with { CreateAttempted = false }, cancellationToken).ConfigureAwait(false);
            throw;
        }

        using var owned = obtained;
        if (_sealer.Refusal(operation.Key.Provider, obtained.Secret, managed.Kind) is { } refusal)
        {
            // Never stored, never promoted: record only what was created, so the rollback removes exactly that key.
            if (obtained.ProviderKeyId is { } created)
            {
                await _recorder.PersistAsync(operation with { NewProviderKeyId = created }, cancellationToken).ConfigureAwait(false);
            }

            throw new ProviderKeyRejectedException(operation.Key, obtained.ProviderKeyId, refusal);
        }

        return new StepOutcome(await _sealer.RecordAsync(operation, obtained, cancellationToken).ConfigureAwait(false)) { Key = managed };
    }

    /// <summary>AwaitingNewKey → CreatedAtProvider, with the key a person supplied, taken by the strategy of <paramref name="tier"/>.</summary>
    public async Task<RotationOperation> AcceptAsync(RotationOperation operation, ManagedKey managed, SecretValue supplied, RotationTier tier, CancellationToken cancellationToken)
    {
        var context = new RotationStrategyContext(operation, managed, _providers.Find(operation.Key.Provider));
        using var obtained = await _strategies.For(tier).ObtainAsync(context, supplied, cancellationToken).ConfigureAwait(false);
        return await _sealer.RecordAsync(operation, obtained, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>CreatedAtProvider → StoredPending, written with the new version. Once stored, the sealed secret lives in the key store only.</summary>
    public StepOutcome StorePending(RotationOperation operation)
    {
        var now = _clock.GetCurrentInstant();
        return new StepOutcome(operation with { Step = RotationStep.StoredPending, NewSecret = null })
        {
            KeyChange = managed =>
            {
                if (managed.FindVersion(operation.NewVersionId) is not null)
                {
                    return managed;
                }

                var secret = operation.NewSecret ?? throw new IronCageException($"Rotation {operation.OperationId} lost its new key before storing it; it cannot continue.");
                return ManagedKeyTransitions.AddPending(managed, new KeyVersion
                {
                    VersionId = operation.NewVersionId,
                    ProviderKeyId = operation.NewProviderKeyId,
                    Slot = _providers.SlotOf(operation.Key.Provider, operation.NewProviderKeyId),
                    Stage = KeyStage.Pending,
                    CreatedAt = now,
                    ExpiresAt = operation.NewExpiresAt,
                    DisplayHint = operation.NewDisplayHint ?? "…",
                    Fingerprint = operation.NewFingerprint ?? string.Empty,
                    Secret = secret,
                });
            },
        };
    }

    /// <summary>StoredPending → Verified: a real authenticated call with the new key.</summary>
    public async Task<StepOutcome> VerifyAsync(RotationOperation operation, ManagedKey? known, CancellationToken cancellationToken)
    {
        var managed = known ?? await _keys.GetAsync(operation.Key, cancellationToken).ConfigureAwait(false);
        var version = managed.FindVersion(operation.NewVersionId) ?? throw new IronCageException($"Rotation {operation.OperationId}: the new version {operation.NewVersionId} is missing from the key store.");
        using var secret = await _sealer.OpenAsync(version, operation.Key, cancellationToken).ConfigureAwait(false);
        KeyVerificationResult result;
        try
        {
            result = await _providers.VerifyAsync(ProviderKeyContext.For(managed), secret, cancellationToken).ConfigureAwait(false);
        }
        catch (NotSupportedByProviderException) when (_strategies.For(operation.Tier).AcceptsUnverifiable)
        {
            // A provider with no free verification call (Perplexity): a person vouched for the key by recording it.
            return new StepOutcome(operation with { Step = RotationStep.Verified, LastError = null }) { Key = managed };
        }

        result.EnsureValid();
        return new StepOutcome(operation with { Step = RotationStep.Verified }) { Key = managed };
    }

    /// <summary>Verified → Distributed: every distribution target that holds the key gets the new one before it is promoted (see <see cref="KeyDistributor"/>).</summary>
    public async Task<StepOutcome> DistributeAsync(RotationOperation operation, ManagedKey? known, CancellationToken cancellationToken)
    {
        if (!_distributor.HasTargets)
        {
            return operation with { Step = RotationStep.Distributed };
        }

        var managed = known ?? await _keys.GetAsync(operation.Key, cancellationToken).ConfigureAwait(false);
        return await _distributor.DistributeAsync(operation, managed, cancellationToken).ConfigureAwait(false);
    }
}
