using IronCage.Providers;

namespace IronCage.Rotation;

/// <summary>
/// Takes a key a person created in the provider's console (semi-automatic and manual tiers) into the operation that
/// waits for it, starting one when none does; the engine then runs it like any other.
/// </summary>
internal sealed class SuppliedKeyIntake
{
    private readonly RotationEngine _engine;
    private readonly OperationRecorder _recorder;
    private readonly ManagedKeyWriter _keys;
    private readonly RotationProviders _providers;
    private readonly KeyFormatValidator _validator;
    private readonly SecretSealer _sealer;
    private readonly RotationJournal _journal;

    public SuppliedKeyIntake(RotationEngine engine, OperationRecorder recorder, ManagedKeyWriter keys, RotationProviders providers, KeyFormatValidator validator, SecretSealer sealer, RotationJournal journal)
    {
        _engine = engine;
        _recorder = recorder;
        _keys = keys;
        _providers = providers;
        _validator = validator;
        _sealer = sealer;
        _journal = journal;
    }

    /// <summary>Accepts <paramref name="newKey"/>; <paramref name="tier"/> is the tier the caller's method is for.</summary>
    public async Task<RotationOperation> AcceptAsync(KeyReference key, SecretValue newKey, RotationRequest request, RotationTier tier, CancellationToken cancellationToken)
    {
        var managed = await _keys.GetAsync(key, cancellationToken).ConfigureAwait(false);
        var actual = _providers.TierOf(key.Provider);
        if (tier == RotationTier.SemiAutomatic && actual != RotationTier.SemiAutomatic)
        {
            throw new IronCageException($"Managed key '{key}' rotates with the {actual} strategy; SupplyNewKeyAsync is for semi-automatic providers ({(actual == RotationTier.Manual ? "use RecordManualRotationAsync" : "use RotateAsync")}).");
        }

        _validator.Validate(key.Provider, newKey, managed.Kind);
        if (_sealer.IsVersionOf(managed, newKey))
        {
            throw new IronCageException($"The supplied key is already a version of '{key}'. Create a new key in the provider's console ({_providers.ConsoleUrl(key.Provider)}) and supply that one.");
        }

        var operation = await _recorder.FindActiveAsync(key, cancellationToken).ConfigureAwait(false);
        if (operation is null)
        {
            operation = await _engine.StartAsync(managed, actual, RotationReason.Manual, RotationOperationKind.Rotation, request, RotationStep.AwaitingNewKey, cancellationToken).ConfigureAwait(false);
        }
        else if (operation.Step != RotationStep.AwaitingNewKey)
        {
            throw new RotationConflictException(key, operation.OperationId, operation.Step);
        }

        // Recording a manual rotation never asks the provider, whatever adapter is registered: the manual strategy takes it.
        var accepted = await _engine.NewKey.AcceptAsync(operation, managed, newKey, tier, cancellationToken).ConfigureAwait(false);
        var (stored, known) = await _recorder.PersistAsync(new StepOutcome(accepted) { Key = managed, Audit = [_journal.StepRecord(accepted, request, "new-key-supplied", new() { ["hint"] = newKey.DisplayHint })] }, null, cancellationToken).ConfigureAwait(false);
        return await _engine.RunAsync(stored, known, cancellationToken).ConfigureAwait(false);
    }
}
