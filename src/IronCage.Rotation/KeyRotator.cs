using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>
/// The rotation engine: a state machine over <see cref="RotationOperation"/> whose every step is persisted before the
/// next begins. What differs per tier (how a new key is obtained, how an old one is retired, what a rollback undoes)
/// is decided from the provider adapter's capabilities.
/// </summary>
internal sealed class KeyRotator : IKeyRotator
{
    private const string SlotMetadata = "slot";
    private const int StoreConflictRetries = 5;

    /// <summary>Version metadata set when revoking the version at the provider failed for good; the version is killed.</summary>
    internal const string RevocationFailedMetadata = "ironcage.revocation-failed-at";
    // Marks an exception as a simulated process crash (tests): it ends the call instead of being handled as a step failure.
    internal const string SimulatedCrashMarker = "IronCage.Rotation.SimulatedCrash";

    private readonly IKeyStore _keys;
    private readonly IRotationStore _operations;
    private readonly ISecretProtector _protector;
    private readonly ISecretFingerprinter _fingerprinter;
    private readonly IKeyVerifier _verifier;
    private readonly KeyFormatValidator _validator;
    private readonly IAuditLog _audit;
    private readonly IClock _clock;
    private readonly RotationOptions _options;
    private readonly IronCageOptions _ironCageOptions;
    private readonly ILogger<KeyRotator> _logger;
    private readonly RotationEventPublisher _events;
    private readonly RotationDueEvaluator _due;
    private readonly Dictionary<ProviderId, IProviderAdapter> _adapters;

    public KeyRotator(
        IKeyStore keys,
        IRotationStore operations,
        ISecretProtector protector,
        ISecretFingerprinter fingerprinter,
        IKeyVerifier verifier,
        KeyFormatValidator validator,
        IAuditLog audit,
        IClock clock,
        IEnumerable<IProviderAdapter> adapters,
        IOptions<RotationOptions> options,
        IOptions<IronCageOptions> ironCageOptions,
        RotationEventPublisher events,
        RotationDueEvaluator due,
        ILogger<KeyRotator> logger)
    {
        _events = events;
        _due = due;
        _keys = keys;
        _operations = operations;
        _protector = protector;
        _fingerprinter = fingerprinter;
        _verifier = verifier;
        _validator = validator;
        _audit = audit;
        _clock = clock;
        _options = options.Value;
        _ironCageOptions = ironCageOptions.Value;
        _logger = logger;
        _adapters = [];
        foreach (var adapter in adapters)
        {
            _adapters[adapter.Provider] = adapter;
        }
    }

    public async Task<ManagedKey> RegisterAsync(KeyRegistration registration, SecretValue secret, RotationRequest? request = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(secret);
        request ??= new RotationRequest();
        _validator.Validate(registration.Reference.Provider, secret, registration.Kind);
        if (registration.Verify)
        {
            var context = new ProviderKeyContext { Key = registration.Reference, Kind = registration.Kind, Scope = registration.Scope };
            (await VerifyAsync(context, secret, cancellationToken).ConfigureAwait(false)).EnsureValid();
        }

        var (providerKeyId, providerExpiresAt) = await ResolveRegisteredProviderKeyIdAsync(registration, secret, cancellationToken).ConfigureAwait(false);
        var now = _clock.GetCurrentInstant();
        var versionId = KeyVersion.NewVersionId();
        var sealedSecret = await _protector.SealAsync(secret, new SecretBinding(registration.Reference, versionId), cancellationToken).ConfigureAwait(false);
        var key = new ManagedKey
        {
            Reference = registration.Reference,
            Kind = registration.Kind,
            Description = registration.Description,
            Labels = registration.Labels,
            Scope = registration.Scope,
            Policy = registration.Policy,
            Limits = registration.Limits,
            CreatedAt = now,
            Versions =
            [
                new KeyVersion
                {
                    VersionId = versionId,
                    ProviderKeyId = providerKeyId,
                    Stage = KeyStage.Current,
                    CreatedAt = now,
                    ActivatedAt = now,
                    ExpiresAt = registration.ExpiresAt ?? providerExpiresAt,
                    DisplayHint = secret.DisplayHint,
                    Fingerprint = _fingerprinter.Compute(secret),
                    Secret = sealedSecret,
                    Metadata = SlotMetadataFor(providerKeyId, registration.Reference.Provider),
                },
            ],
        };

        var stored = await _keys.CreateAsync(key, cancellationToken).ConfigureAwait(false);
        await AuditAsync(AuditAction.KeyCreate, registration.Reference, request, AuditOutcome.Success, new() { ["version"] = versionId, ["hint"] = secret.DisplayHint }, cancellationToken).ConfigureAwait(false);
        return stored;
    }

    // A key IronCage may have to revoke must be known to the provider by id (and, for slot providers, by slot): without
    // it a later revocation could only pretend. Found by listing the provider's keys when not given; the listing also
    // tells the key's expiry where the provider sets it (Anthropic's expires_at), so expiry warnings follow it.
    private async Task<(string? ProviderKeyId, Instant? ExpiresAt)> ResolveRegisteredProviderKeyIdAsync(KeyRegistration registration, SecretValue secret, CancellationToken cancellationToken)
    {
        var tier = _adapters.TryGetValue(registration.Reference.Provider, out var adapter) ? TierOfCapabilities(registration.Reference.Provider, adapter.Capabilities) : RotationTier.Manual;
        if (tier == RotationTier.Manual)
        {
            return (registration.ProviderKeyId, null);
        }

        var providerKeyId = registration.ProviderKeyId;
        Instant? expiresAt = null;
        if (providerKeyId is null)
        {
            if (!adapter!.Capabilities.HasFlag(ProviderCapabilities.List))
            {
                throw new IronCageException($"Registering '{registration.Reference}' needs KeyRegistration.ProviderKeyId: IronCage revokes {registration.Reference.Provider} keys by id and cannot look it up.");
            }

            var found = await FindProviderKeyAsync(new ProviderKeyContext { Key = registration.Reference, Kind = registration.Kind, Scope = registration.Scope }, secret, cancellationToken).ConfigureAwait(false);
            (providerKeyId, expiresAt) = (found.ProviderKeyId, found.ExpiresAt);
        }

        if (tier == RotationTier.SlotAlternating && !(ProviderCatalog.BuiltIn.TryGetDescriptor(registration.Reference.Provider, out var descriptor) ? descriptor.KeySlots : ["Key1", "Key2"]).Contains(providerKeyId))
        {
            throw new IronCageException($"'{registration.Reference}' rotates by alternating slots: KeyRegistration.ProviderKeyId must name the slot that holds this key (Key1 or Key2), not '{providerKeyId}'.");
        }

        return (providerKeyId, expiresAt);
    }

    public async Task<RotationOperation> RotateAsync(KeyReference key, RotationReason reason, RotationRequest? request = null, CancellationToken cancellationToken = default)
    {
        request ??= new RotationRequest();
        if (request.RevokeFirst && reason != RotationReason.Compromised)
        {
            throw new ArgumentException("RevokeFirst stops service until the new key is in place: it is only allowed for RotationReason.Compromised.", nameof(request));
        }

        if (request.GracePeriod is { } grace && (grace < Duration.Zero || grace > IronCageConstants.MaxGracePeriod))
        {
            throw new RotationPolicyException($"The requested grace period {grace} is out of range: use 0 to 30 days.");
        }

        if (reason == RotationReason.Compromised)
        {
            await SupersedeActiveAsync(key, request, cancellationToken).ConfigureAwait(false);
        }

        var managed = await _keys.GetAsync(key, cancellationToken).ConfigureAwait(false);
        var tier = TierOf(managed);
        var awaitsPerson = tier is RotationTier.SemiAutomatic or RotationTier.Manual;
        var operation = await StartAsync(managed, tier, reason, request, awaitsPerson ? RotationStep.AwaitingNewKey : RotationStep.Requested, revokeOnly: false, cancellationToken).ConfigureAwait(false);

        if (awaitsPerson && request.RevokeFirst)
        {
            operation = await RevokePreviousEarlyAsync(operation, cancellationToken).ConfigureAwait(false);
        }

        return await RunAsync(operation, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RotationOperation> RevokeAsync(KeyReference key, RotationRequest? request = null, CancellationToken cancellationToken = default)
    {
        request ??= new RotationRequest();
        await SupersedeActiveAsync(key, request, cancellationToken).ConfigureAwait(false);
        var managed = await _keys.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (managed.CurrentVersion is null)
        {
            throw new IronCageException($"Managed key '{key}' has no current version to revoke.");
        }

        var operation = await StartAsync(managed, TierOf(managed), RotationReason.Compromised, request, RotationStep.Requested, revokeOnly: true, cancellationToken).ConfigureAwait(false);
        return await RunAsync(operation, cancellationToken).ConfigureAwait(false);
    }

    public Task<RotationOperation> SupplyNewKeyAsync(KeyReference key, SecretValue newKey, RotationRequest? request = null, CancellationToken cancellationToken = default)
        => AcceptNewKeyAsync(key, newKey, request, lookUpProviderId: true, cancellationToken);

    public Task<RotationOperation> RecordManualRotationAsync(KeyReference key, SecretValue newKey, RotationRequest? request = null, CancellationToken cancellationToken = default)
        => AcceptNewKeyAsync(key, newKey, request, lookUpProviderId: false, cancellationToken);

    public async Task<RotationOperation> CompleteGraceAsync(KeyReference key, RotationRequest? request = null, CancellationToken cancellationToken = default)
    {
        request ??= new RotationRequest();
        var operation = await _operations.FindActiveAsync(key, cancellationToken).ConfigureAwait(false);
        if (operation is not { Step: RotationStep.GracePeriod })
        {
            throw new IronCageException($"Managed key '{key}' has no rotation in its grace period{(operation is null ? string.Empty : $" (rotation {operation.OperationId} is at {operation.Step})")}.");
        }

        var now = _clock.GetCurrentInstant();
        if (operation.GraceEndsAt > now || operation.NextAttemptAt > now)
        {
            operation = await _operations.UpdateAsync(operation with { GraceEndsAt = operation.GraceEndsAt > now ? now : operation.GraceEndsAt, NextAttemptAt = null, UpdatedAt = now }, cancellationToken).ConfigureAwait(false);
            await AuditAsync(AuditAction.KeyRotate, key, request, AuditOutcome.Success, new() { ["operation"] = operation.OperationId, ["step"] = "grace-completed-early" }, cancellationToken).ConfigureAwait(false);
        }

        return await RunAsync(operation, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RotationOperation> CancelAsync(KeyReference key, RotationRequest? request = null, CancellationToken cancellationToken = default)
    {
        request ??= new RotationRequest();
        var active = await _operations.FindActiveAsync(key, cancellationToken).ConfigureAwait(false)
            ?? throw new IronCageException($"Managed key '{key}' has no rotation under way to cancel.");
        if (IsPromoted(active) || await IsNewVersionCurrentAsync(active, cancellationToken).ConfigureAwait(false))
        {
            throw new IronCageException($"Rotation {active.OperationId} of '{key}' already promoted its new key; it cannot be cancelled. End its grace period with CompleteGraceAsync instead.");
        }

        return await RollBackAsync(active, $"Cancelled by {request.Actor}{(request.Note is null ? "." : ": " + request.Note)}", cancellationToken).ConfigureAwait(false);
    }

    public async Task<RotationOperation?> GetOperationAsync(string operationId, CancellationToken cancellationToken = default)
        => await _operations.FindAsync(operationId, cancellationToken).ConfigureAwait(false);

    public async Task<RotationOperation> ResumeAsync(string operationId, CancellationToken cancellationToken = default)
    {
        var operation = await _operations.FindAsync(operationId, cancellationToken).ConfigureAwait(false)
            ?? throw new IronCageException($"Rotation operation '{operationId}' does not exist.");
        return await RunAsync(operation, cancellationToken).ConfigureAwait(false);
    }

    public async Task<RotationPlan> PlanAsync(Instant now, CancellationToken cancellationToken = default)
    {
        var items = new List<PlannedRotation>();
        await foreach (var key in _keys.ListAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var tier = TierOf(key);
            var active = await _operations.FindActiveAsync(key.Reference, cancellationToken).ConfigureAwait(false);
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

            var action = tier is RotationTier.Manual or RotationTier.SemiAutomatic ? PlannedAction.Remind : PlannedAction.Rotate;
            var detail = decision.IsDue
                ? action == PlannedAction.Rotate ? $"Rotate now with the {tier} strategy." : $"Remind a person to create a new key at {ConsoleUrl(key.Provider)}."
                : decision.Detail;
            items.Add(new PlannedRotation(key.Reference, decision.IsDue ? action : PlannedAction.None, tier, decision.DueAt, decision.IsDue, detail));
        }

        return new RotationPlan(now, items);
    }

    public async Task<ManagedKey> KillAsync(KeyReference key, string versionId, RotationRequest? request = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(versionId);
        request ??= new RotationRequest();
        var killed = await KillVersionAsync(key, versionId, cancellationToken).ConfigureAwait(false);
        await AuditAsync(AuditAction.KeyKill, key, request, AuditOutcome.Success, new() { ["version"] = versionId }, cancellationToken).ConfigureAwait(false);
        return killed;
    }

    private static Dictionary<string, string> SlotMetadataFor(string? providerKeyId, ProviderId provider)
        => providerKeyId is not null && ProviderCatalog.BuiltIn.TryGetDescriptor(provider, out var descriptor) && descriptor.KeySlots.Contains(providerKeyId)
            ? new Dictionary<string, string> { [SlotMetadata] = providerKeyId }
            : new Dictionary<string, string>();

    private static PlannedRotation PlanActive(ManagedKey key, RotationTier tier, RotationOperation active, Instant now) => active.Step switch
    {
        RotationStep.AwaitingNewKey => new(key.Reference, PlannedAction.AwaitNewKey, tier, active.RequestedAt, false, $"Rotation {active.OperationId} waits for a person to supply the new key."),
        RotationStep.GracePeriod => new(key.Reference, active.GraceEndsAt <= now ? PlannedAction.CompleteGrace : PlannedAction.None, tier, active.GraceEndsAt, active.GraceEndsAt <= now, $"Rotation {active.OperationId} is in its grace period until {active.GraceEndsAt}."),
        _ => new(key.Reference, PlannedAction.Resume, tier, active.NextAttemptAt ?? active.UpdatedAt, (active.NextAttemptAt ?? now) <= now, $"Rotation {active.OperationId} stopped at {active.Step}."),
    };

    private static string OtherSlot(string? slot) => string.Equals(slot, "Key1", StringComparison.OrdinalIgnoreCase) ? "Key2" : "Key1";

    private static bool IsRetryable(ProviderErrorKind kind) => kind == ProviderErrorKind.Transient || kind == ProviderErrorKind.RateLimited;

    private static string Describe(Exception exception) => exception switch
    {
        ProviderRequestException provider => $"{provider.Kind}: {provider.Message}",
        IronCageException => exception.Message,
        _ => $"{exception.GetType().Name}: {Internal.SecretScrubber.Scrub(exception.Message)}",
    };

    private static string ConsoleUrl(ProviderId provider) => ConsoleUri(provider)?.ToString() ?? "the provider's console";

    private static Uri? ConsoleUri(ProviderId provider)
        => ProviderCatalog.BuiltIn.TryGetDescriptor(provider, out var descriptor) ? descriptor.ConsoleUrl : null;

    private RotationTier TierOf(ManagedKey key)
    {
        if (!_adapters.TryGetValue(key.Provider, out var adapter))
        {
            return RotationTier.Manual;
        }

        return TierOfCapabilities(key.Provider, adapter.Capabilities);
    }

    private static RotationTier TierOfCapabilities(ProviderId provider, ProviderCapabilities capabilities)
    {
        var tier = ProviderDescriptor.TierFor(capabilities);
        return tier != RotationTier.Manual && !capabilities.HasFlag(ProviderCapabilities.Verify) && !CanVerifyWithoutAdapter(provider)
            ? RotationTier.Manual
            : tier;
    }

    private static bool CanVerifyWithoutAdapter(ProviderId provider)
        => ProviderCatalog.BuiltIn.TryGetDescriptor(provider, out var descriptor) && descriptor.VerifyCall is not null;

    private IProviderAdapter Adapter(KeyReference key)
        => _adapters.TryGetValue(key.Provider, out var adapter)
            ? adapter
            : throw new IronCageException($"No provider adapter is registered for '{key.Provider}'. Add the provider's IronCage package (for example AddOpenAI) or register an IProviderAdapter.");

    private async Task<RotationOperation> StartAsync(ManagedKey managed, RotationTier tier, RotationReason reason, RotationRequest request, RotationStep firstStep, bool revokeOnly, CancellationToken cancellationToken)
    {
        var now = _clock.GetCurrentInstant();
        var current = managed.CurrentVersion;
        var operationId = RotationOperation.NewOperationId();
        var operation = new RotationOperation
        {
            OperationId = operationId,
            Key = managed.Reference,
            Reason = reason,
            Tier = tier,
            Step = firstStep,
            RequestedBy = request.Actor,
            RequestedAt = now,
            UpdatedAt = now,
            Note = request.Note,
            RevokeFirst = request.RevokeFirst || revokeOnly,
            RevokeOnly = revokeOnly,
            GracePeriodOverride = request.GracePeriod,
            PreviousVersionId = current?.VersionId,
            PreviousProviderKeyId = current?.ProviderKeyId,
            NewVersionId = KeyVersion.NewVersionId(),
            ProviderKeyName = $"ironcage-{managed.Reference.Name}-{now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}-{operationId[4..12]}",
            GraceEndsAt = null,
        };

        var stored = await _operations.CreateAsync(operation, cancellationToken).ConfigureAwait(false);
        Log.RotationStarted(_logger, stored.OperationId, stored.Key, reason, tier);
        await _events.PublishAsync(new RotationStarted { Key = stored.Key, OccurredAt = now, OperationId = stored.OperationId, Reason = reason, Tier = tier }, cancellationToken).ConfigureAwait(false);
        await AuditAsync(revokeOnly ? AuditAction.KeyRevoke : AuditAction.KeyRotate, managed.Reference, request, AuditOutcome.Success, new() { ["operation"] = stored.OperationId, ["step"] = "started", ["reason"] = reason.ToString(), ["tier"] = tier.ToString() }, cancellationToken).ConfigureAwait(false);
        return stored;
    }

    private async Task<RotationOperation> AcceptNewKeyAsync(KeyReference key, SecretValue newKey, RotationRequest? request, bool lookUpProviderId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(newKey);
        request ??= new RotationRequest();
        var managed = await _keys.GetAsync(key, cancellationToken).ConfigureAwait(false);
        var tier = TierOf(managed);
        if (lookUpProviderId && tier != RotationTier.SemiAutomatic)
        {
            throw new IronCageException($"Managed key '{key}' rotates with the {tier} strategy; SupplyNewKeyAsync is for semi-automatic providers ({(tier == RotationTier.Manual ? "use RecordManualRotationAsync" : "use RotateAsync")}).");
        }

        _validator.Validate(key.Provider, newKey, managed.Kind);
        if (managed.Versions.Any(v => v.Stage != KeyStage.Revoked && _fingerprinter.Matches(newKey, v.Fingerprint)))
        {
            throw new IronCageException($"The supplied key is already a version of '{key}'. Create a new key in the provider's console ({ConsoleUrl(key.Provider)}) and supply that one.");
        }

        var operation = await _operations.FindActiveAsync(key, cancellationToken).ConfigureAwait(false);
        if (operation is null)
        {
            operation = await StartAsync(managed, tier, RotationReason.Manual, request, RotationStep.AwaitingNewKey, revokeOnly: false, cancellationToken).ConfigureAwait(false);
        }
        else if (operation.Step != RotationStep.AwaitingNewKey)
        {
            throw new RotationConflictException(key, operation.OperationId, operation.Step);
        }

        ProviderKeyInfo? found = null;
        if (lookUpProviderId)
        {
            found = await FindProviderKeyAsync(ProviderKeyContext.For(managed), newKey, cancellationToken).ConfigureAwait(false);
        }

        var sealedSecret = await _protector.SealAsync(newKey, new SecretBinding(key, operation.NewVersionId), cancellationToken).ConfigureAwait(false);
        operation = await PersistAsync(operation with
        {
            Step = RotationStep.CreatedAtProvider,
            NewProviderKeyId = found?.ProviderKeyId,
            NewExpiresAt = found?.ExpiresAt,
            NewSecret = sealedSecret,
            NewDisplayHint = newKey.DisplayHint,
            NewFingerprint = _fingerprinter.Compute(newKey),
        }, cancellationToken).ConfigureAwait(false);
        await AuditAsync(AuditAction.KeyRotate, key, request, AuditOutcome.Success, new() { ["operation"] = operation.OperationId, ["step"] = "new-key-supplied", ["hint"] = newKey.DisplayHint }, cancellationToken).ConfigureAwait(false);
        return await RunAsync(operation, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ProviderKeyInfo> FindProviderKeyAsync(ProviderKeyContext context, SecretValue newKey, CancellationToken cancellationToken)
    {
        var adapter = Adapter(context.Key);
        var matches = new List<ProviderKeyInfo>();
        await foreach (var info in adapter.ListKeysAsync(context, cancellationToken).ConfigureAwait(false))
        {
            if (info.Status == ProviderKeyStatus.Active && info.DisplayHint is { } hint && HintMatches(hint, newKey))
            {
                matches.Add(info);
            }
        }

        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new IronCageException($"The key is not among the active keys the provider lists for '{context.Key}'. Check that it belongs to the same organization, project or workspace ({ConsoleUrl(context.Key.Provider)}), or give its provider-side id."),
            _ => throw new IronCageException($"{matches.Count} active keys at the provider match the supplied key's hint; deactivate the unused ones in the console and supply the key again."),
        };
    }

    // Providers show a redacted form such as "sk-ant-api03-R2D...igAA": the supplied key must start and end the same way.
    private static bool HintMatches(string hint, SecretValue key)
    {
        var separator = hint.Contains("...", StringComparison.Ordinal) ? "..." : "…";
        var cut = hint.IndexOf(separator, StringComparison.Ordinal);
        if (cut < 0)
        {
            return false;
        }

        var prefix = hint[..cut];
        var suffix = hint[(cut + separator.Length)..];
        return key.UseChars((prefix, suffix), static (chars, s) => chars.Length > s.prefix.Length + s.suffix.Length && chars.StartsWith(s.prefix) && chars.EndsWith(s.suffix));
    }

    private async Task<RotationOperation> RunAsync(RotationOperation operation, CancellationToken cancellationToken)
    {
        while (!operation.IsFinished)
        {
            var now = _clock.GetCurrentInstant();
            if (operation.NextAttemptAt is { } retryAt && retryAt > now)
            {
                return operation;
            }

            if (operation.Step == RotationStep.AwaitingNewKey || (operation.Step == RotationStep.GracePeriod && operation.GraceEndsAt > now))
            {
                return operation;
            }

            // A failed step comes back with NextAttemptAt set: the check above then hands it to the scheduler or
            // ResumeAsync, or (with no back-off) retries it until MaxAttempts ends the operation.
            operation = await RunStepAsync(operation, cancellationToken).ConfigureAwait(false);
        }

        return operation;
    }

    private async Task<RotationOperation> RunStepAsync(RotationOperation operation, CancellationToken cancellationToken)
    {
        for (var immediate = 0; ; immediate++)
        {
            try
            {
                var next = operation.Step switch
                {
                    RotationStep.Requested when operation.RevokeFirst && !operation.PreviousRevokedEarly => await RevokePreviousEarlyAsync(operation, cancellationToken).ConfigureAwait(false),
                    RotationStep.Requested when operation.RevokeOnly && operation.PreviousRevocationFailed => operation with { Step = RotationStep.RevocationFailed, EndedAt = _clock.GetCurrentInstant() },
                    RotationStep.Requested when operation.RevokeOnly => operation with { Step = RotationStep.PreviousRevoked },
                    RotationStep.Requested => await CreateAtProviderAsync(operation, cancellationToken).ConfigureAwait(false),
                    RotationStep.CreatedAtProvider => await StorePendingAsync(operation, cancellationToken).ConfigureAwait(false),
                    RotationStep.StoredPending => await VerifyNewAsync(operation, cancellationToken).ConfigureAwait(false),
                    RotationStep.Verified => await PromoteAsync(operation, cancellationToken).ConfigureAwait(false),
                    RotationStep.Promoted => await StartGraceAsync(operation, cancellationToken).ConfigureAwait(false),
                    RotationStep.GracePeriod => await RevokePreviousAsync(operation, cancellationToken).ConfigureAwait(false),
                    RotationStep.PreviousRevoked => await CompleteAsync(operation).ConfigureAwait(false),
                    _ => throw new InvalidOperationException($"Rotation {operation.OperationId} cannot run from {operation.Step}."),
                };

                try
                {
                    return await PersistAsync(next with { Attempts = 0, NextAttemptAt = null, LastError = next.Step == RotationStep.RevocationFailed ? next.LastError : null }, cancellationToken).ConfigureAwait(false);
                }
                catch (RotationConflictException) when (operation.Step == RotationStep.Requested && next.NewProviderKeyId is { } created)
                {
                    // Another engine moved the operation on while this one was creating a key: nothing records that key,
                    // so remove it before giving way.
                    await DiscardUnrecordedKeyAsync(next, created, cancellationToken).ConfigureAwait(false);
                    throw;
                }
            }
            catch (Exception ex) when (IsStepFailure(ex, cancellationToken))
            {
                // A step may have recorded progress before it failed (CreateAttempted): continue from the stored copy.
                operation = await _operations.FindAsync(operation.OperationId, cancellationToken).ConfigureAwait(false) ?? operation;
                var retryable = ex is ProviderRequestException provider ? IsRetryable(provider.Kind) || IsPropagationDelay(operation, provider) : IsTransportFailure(ex);
                if (retryable && immediate < _options.ImmediateRetries)
                {
                    await DelayAsync(ex as ProviderRequestException, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                return await HandleFailureAsync(operation, ex, retryable, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Every failure of a step is handled (retried, deferred, rolled back or recorded), except: the caller cancelling
    // (the operation stays recorded and resumes later), a concurrent engine winning the operation, and a crash
    // simulated after a step was recorded (tests only).
    private static bool IsStepFailure(Exception exception, CancellationToken cancellationToken)
        => exception is not RotationConflictException
            && !exception.Data.Contains(SimulatedCrashMarker)
            && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested);

    // A provider that could not be reached (an adapter that let a transport error through): worth another try.
    private static bool IsTransportFailure(Exception exception)
        => exception is HttpRequestException or IOException or TimeoutException or OperationCanceledException;

    private bool IsPropagationDelay(RotationOperation operation, ProviderRequestException failure)
        => operation.Step == RotationStep.StoredPending && failure.Kind == ProviderErrorKind.InvalidKey && operation.Attempts + 1 < _options.VerifyPropagationAttempts;

    private async Task DelayAsync(ProviderRequestException? failure, CancellationToken cancellationToken)
    {
        var delay = failure?.RetryAfter is { } retryAfter && retryAfter > _options.RetryDelay ? retryAfter : _options.RetryDelay;
        if (delay > _options.MaxRetryDelay)
        {
            delay = _options.MaxRetryDelay;
        }

        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<RotationOperation> HandleFailureAsync(RotationOperation operation, Exception failure, bool retryable, CancellationToken cancellationToken)
    {
        var reason = Describe(failure);
        var attempts = operation.Attempts + 1;
        var afterPromotion = IsPromoted(operation)
            || await IsNewVersionCurrentAsync(operation, cancellationToken).ConfigureAwait(false);

        // Provider errors while revoking are retried with back-off (permissions get fixed, outages end); anything else
        // after promotion (no provider-side id, a broken adapter) will not get better by waiting.
        var canRetryLater = (retryable || (afterPromotion && failure is ProviderRequestException)) && attempts < _options.MaxAttempts;

        if (canRetryLater)
        {
            var backoff = _options.BackoffFor(attempts);
            var retryAt = _clock.GetCurrentInstant() + backoff;
            Log.StepDeferred(_logger, operation.OperationId, operation.Key, operation.Step, attempts, retryAt, reason);
            return await _operations.UpdateAsync(operation with { Attempts = attempts, NextAttemptAt = retryAt, LastError = reason, UpdatedAt = _clock.GetCurrentInstant() }, cancellationToken).ConfigureAwait(false);
        }

        if (afterPromotion)
        {
            Log.RevocationFailed(_logger, operation.OperationId, operation.Key, operation.PreviousVersionId, attempts, reason);

            // Alert first: once RevocationFailed is recorded nothing resumes the operation, so a crash right after
            // recording it must not be able to swallow the only alert that a live key needs revoking by hand.
            // The old key stays live at the provider: at least stop serving it and mark the version, so it is visible.
            if (operation.PreviousVersionId is { } previous)
            {
                await MarkRevocationFailedAsync(operation.Key, previous, cancellationToken).ConfigureAwait(false);
            }

            await AuditAsync(AuditAction.KeyRevoke, operation.Key, new RotationRequest { Actor = operation.RequestedBy }, AuditOutcome.Failure, new() { ["operation"] = operation.OperationId, ["version"] = operation.PreviousVersionId ?? string.Empty, ["error"] = reason }, cancellationToken).ConfigureAwait(false);
            await _events.PublishAsync(new KeyRevoked { Key = operation.Key, OccurredAt = _clock.GetCurrentInstant(), OperationId = operation.OperationId, VersionId = operation.PreviousVersionId ?? string.Empty, Succeeded = false, Error = reason, ConsoleUrl = ConsoleUri(operation.Key.Provider) }, cancellationToken).ConfigureAwait(false);
            return await PersistAsync(operation with { Step = RotationStep.RevocationFailed, Attempts = attempts, LastError = reason, EndedAt = _clock.GetCurrentInstant(), NextAttemptAt = null }, cancellationToken).ConfigureAwait(false);
        }

        return await RollBackAsync(operation, reason, cancellationToken).ConfigureAwait(false);
    }

    // Revoke-first (and revoke-only): kill the old version at once, then revoke it at the provider. A provider that
    // refuses is a revocation failure (critical alert, version marked), not a reason to stop: the key stays killed and
    // a revoke-first rotation still goes on to create the replacement.
    private async Task<RotationOperation> RevokePreviousEarlyAsync(RotationOperation operation, CancellationToken cancellationToken)
    {
        var failed = false;
        if (operation.PreviousVersionId is { } previous)
        {
            await KillVersionAsync(operation.Key, previous, cancellationToken).ConfigureAwait(false);
            try
            {
                await RetireWithImmediateRetriesAsync(operation, cancellationToken).ConfigureAwait(false);
                await MarkRevokedAsync(operation.Key, previous, operation.OperationId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsStepFailure(ex, cancellationToken))
            {
                failed = true;
                var reason = Describe(ex);
                Log.RevocationFailed(_logger, operation.OperationId, operation.Key, previous, 1, reason);
                await MarkRevocationFailedAsync(operation.Key, previous, cancellationToken).ConfigureAwait(false);
                await AuditAsync(AuditAction.KeyRevoke, operation.Key, new RotationRequest { Actor = operation.RequestedBy }, AuditOutcome.Failure, new() { ["operation"] = operation.OperationId, ["version"] = previous, ["error"] = reason }, cancellationToken).ConfigureAwait(false);
                await _events.PublishAsync(new KeyRevoked { Key = operation.Key, OccurredAt = _clock.GetCurrentInstant(), OperationId = operation.OperationId, VersionId = previous, Succeeded = false, Error = reason, ConsoleUrl = ConsoleUri(operation.Key.Provider) }, cancellationToken).ConfigureAwait(false);
                operation = operation with { LastError = reason };
            }
        }

        var next = operation with { PreviousRevokedEarly = true, PreviousRevocationFailed = failed };
        return operation.Step == RotationStep.AwaitingNewKey ? await PersistAsync(next, cancellationToken).ConfigureAwait(false) : next;
    }

    private async Task RetireWithImmediateRetriesAsync(RotationOperation operation, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await RetireAtProviderAsync(operation, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ProviderRequestException ex) when (IsRetryable(ex.Kind) && attempt < _options.ImmediateRetries)
            {
                await DelayAsync(ex, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static bool IsPromoted(RotationOperation operation) => operation.Step is RotationStep.Promoted or RotationStep.GracePeriod or RotationStep.PreviousRevoked;

    // An emergency never waits for an ordinary rotation: one not yet promoted is rolled back, one in its grace period
    // is finished at once (its old key revoked), then the emergency starts.
    private async Task SupersedeActiveAsync(KeyReference key, RotationRequest request, CancellationToken cancellationToken)
    {
        var active = await _operations.FindActiveAsync(key, cancellationToken).ConfigureAwait(false);
        if (active is null)
        {
            return;
        }

        if (!IsPromoted(active) && !await IsNewVersionCurrentAsync(active, cancellationToken).ConfigureAwait(false))
        {
            await RollBackAsync(active, $"Superseded by an emergency requested by {request.Actor}.", cancellationToken).ConfigureAwait(false);
            return;
        }

        var now = _clock.GetCurrentInstant();
        active = await _operations.UpdateAsync(active with { GraceEndsAt = active.GraceEndsAt is { } ends && ends > now ? now : active.GraceEndsAt, NextAttemptAt = null, UpdatedAt = now }, cancellationToken).ConfigureAwait(false);
        var finished = await RunAsync(active, cancellationToken).ConfigureAwait(false);
        if (!finished.IsFinished)
        {
            throw new RotationConflictException(key, finished.OperationId, finished.Step);
        }
    }

    private async Task<bool> IsNewVersionCurrentAsync(RotationOperation operation, CancellationToken cancellationToken)
    {
        // Promotion may have reached the key store before the operation recorded it: trust the store, never roll back a Current key.
        var managed = await _keys.FindAsync(operation.Key, cancellationToken).ConfigureAwait(false);
        return managed?.FindVersion(operation.NewVersionId) is { Stage: KeyStage.Current };
    }

    private async Task MarkRevocationFailedAsync(KeyReference key, string versionId, CancellationToken cancellationToken)
    {
        var now = _clock.GetCurrentInstant();
        await UpdateKeyAsync(key, managed => managed.FindVersion(versionId) is { } version && !version.Metadata.ContainsKey(RevocationFailedMetadata)
            ? managed.WithVersion(version with
            {
                KilledAt = version.KilledAt ?? now,
                Metadata = new Dictionary<string, string>(version.Metadata) { [RevocationFailedMetadata] = now.ToString("g", CultureInfo.InvariantCulture) },
            })
            : null, cancellationToken).ConfigureAwait(false);
    }

    private async Task<RotationOperation> CreateAtProviderAsync(RotationOperation operation, CancellationToken cancellationToken)
    {
        var managed = await _keys.GetAsync(operation.Key, cancellationToken).ConfigureAwait(false);
        var adapter = Adapter(operation.Key);
        var context = ProviderKeyContext.For(managed);
        CreatedProviderKey created;
        if (operation.Tier == RotationTier.SlotAlternating)
        {
            var currentSlot = managed.FindVersion(operation.PreviousVersionId ?? string.Empty) is { } previous
                ? previous.Metadata.GetValueOrDefault(SlotMetadata) ?? previous.ProviderKeyId
                : null;
            if (currentSlot is null)
            {
                throw new IronCageException($"Rotation {operation.OperationId}: the current version of '{operation.Key}' does not say which slot holds it, so IronCage cannot tell which slot is free. Re-register the key with its slot (Key1 or Key2).");
            }

            created = await adapter.RegenerateSlotAsync(context, OtherSlot(currentSlot), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // Record that a create is under way before calling the provider: if the process dies before the answer is
            // recorded, the resumed rotation finds the key by its name and removes it instead of leaving it orphaned.
            if (!operation.CreateAttempted)
            {
                operation = await PersistAsync(operation with { CreateAttempted = true }, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await RemoveInterruptedCreateAsync(operation, adapter, context, cancellationToken).ConfigureAwait(false);
            }

            var expiresAt = managed.Policy.KeyLifetime is { } lifetime && adapter.Capabilities.HasFlag(ProviderCapabilities.Expiry)
                ? _clock.GetCurrentInstant() + lifetime
                : (Instant?)null;
            created = await adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = context, Name = operation.ProviderKeyName!, ExpiresAt = expiresAt, Limits = managed.Limits }, cancellationToken).ConfigureAwait(false);
        }

        using (created)
        {
            var sealedSecret = await _protector.SealAsync(created.Secret, new SecretBinding(operation.Key, operation.NewVersionId), cancellationToken).ConfigureAwait(false);
            return operation with
            {
                Step = RotationStep.CreatedAtProvider,
                NewProviderKeyId = created.ProviderKeyId,
                NewSecret = sealedSecret,
                NewDisplayHint = created.Secret.DisplayHint,
                NewFingerprint = _fingerprinter.Compute(created.Secret),
                NewExpiresAt = created.ExpiresAt,
            };
        }
    }

    private async Task RemoveInterruptedCreateAsync(RotationOperation operation, IProviderAdapter adapter, ProviderKeyContext context, CancellationToken cancellationToken)
    {
        if (!adapter.Capabilities.HasFlag(ProviderCapabilities.List))
        {
            return;
        }

        var orphans = new List<string>();
        await foreach (var info in adapter.ListKeysAsync(context, cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(info.Name, operation.ProviderKeyName, StringComparison.Ordinal) && info.Status != ProviderKeyStatus.Deleted)
            {
                orphans.Add(info.ProviderKeyId);
            }
        }

        foreach (var orphan in orphans)
        {
            await RetireProviderKeyAsync(adapter, context, orphan, cancellationToken).ConfigureAwait(false);
            Log.OrphanRemoved(_logger, operation.OperationId, operation.Key, orphan);
        }
    }

    private async Task DiscardUnrecordedKeyAsync(RotationOperation lost, string providerKeyId, CancellationToken cancellationToken)
    {
        // A regenerated slot cannot be given back; the engine that won verifies what it recorded, and rolls back if this
        // engine's regeneration replaced it.
        if (lost.Tier is not (RotationTier.Automatic or RotationTier.CreateThenDelete) || !_adapters.TryGetValue(lost.Key.Provider, out var adapter))
        {
            return;
        }

        var stored = await _operations.FindAsync(lost.OperationId, cancellationToken).ConfigureAwait(false);
        if (stored is not null && string.Equals(stored.NewProviderKeyId, providerKeyId, StringComparison.Ordinal))
        {
            return;
        }

        try
        {
            var managed = await _keys.GetAsync(lost.Key, cancellationToken).ConfigureAwait(false);
            await RetireProviderKeyAsync(adapter, ProviderKeyContext.For(managed), providerKeyId, cancellationToken).ConfigureAwait(false);
            Log.UnrecordedKeyRemoved(_logger, lost.OperationId, lost.Key, providerKeyId);
        }
        catch (Exception ex) when (ex is ProviderRequestException or IronCageException)
        {
            Log.RollbackIncomplete(_logger, lost.OperationId, lost.Key, providerKeyId, Describe(ex));
        }
    }

    private async Task<RotationOperation> StorePendingAsync(RotationOperation operation, CancellationToken cancellationToken)
    {
        await UpdateKeyAsync(operation.Key, managed =>
        {
            if (managed.FindVersion(operation.NewVersionId) is not null)
            {
                return null;
            }

            if (operation.NewSecret is null)
            {
                throw new IronCageException($"Rotation {operation.OperationId} lost its new key before storing it; it cannot continue.");
            }

            var metadata = operation.Tier == RotationTier.SlotAlternating && operation.NewProviderKeyId is { } slot
                ? new Dictionary<string, string> { [SlotMetadata] = slot }
                : new Dictionary<string, string>();
            return managed.WithVersion(new KeyVersion
            {
                VersionId = operation.NewVersionId,
                ProviderKeyId = operation.NewProviderKeyId,
                Stage = KeyStage.Pending,
                CreatedAt = _clock.GetCurrentInstant(),
                ExpiresAt = operation.NewExpiresAt,
                DisplayHint = operation.NewDisplayHint ?? "…",
                Fingerprint = operation.NewFingerprint ?? string.Empty,
                Secret = operation.NewSecret,
                Metadata = metadata,
            });
        }, cancellationToken).ConfigureAwait(false);

        // Once stored, the sealed secret lives in the key store only.
        return operation with { Step = RotationStep.StoredPending, NewSecret = null };
    }

    private async Task<RotationOperation> VerifyNewAsync(RotationOperation operation, CancellationToken cancellationToken)
    {
        var managed = await _keys.GetAsync(operation.Key, cancellationToken).ConfigureAwait(false);
        var version = managed.FindVersion(operation.NewVersionId) ?? throw new IronCageException($"Rotation {operation.OperationId}: the new version {operation.NewVersionId} is missing from the key store.");
        using var secret = await _protector.OpenAsync(version.Secret, new SecretBinding(operation.Key, version.VersionId), cancellationToken).ConfigureAwait(false);
        KeyVerificationResult result;
        try
        {
            result = await VerifyAsync(ProviderKeyContext.For(managed), secret, cancellationToken).ConfigureAwait(false);
        }
        catch (NotSupportedByProviderException) when (operation.Tier == RotationTier.Manual)
        {
            // A provider with no free verification call (Perplexity): a person vouched for the key by recording it.
            return operation with { Step = RotationStep.Verified, LastError = null };
        }

        result.EnsureValid();
        return operation with { Step = RotationStep.Verified };
    }

    private async Task<RotationOperation> PromoteAsync(RotationOperation operation, CancellationToken cancellationToken)
    {
        var now = _clock.GetCurrentInstant();
        await UpdateKeyAsync(operation.Key, managed =>
        {
            var newVersion = managed.FindVersion(operation.NewVersionId) ?? throw new IronCageException($"Rotation {operation.OperationId}: the new version is missing from the key store.");
            if (newVersion.Stage == KeyStage.Current)
            {
                return null;
            }

            var versions = managed.Versions.Select(v => v.VersionId == operation.NewVersionId
                ? v with { Stage = KeyStage.Current, ActivatedAt = now }
                : v.Stage == KeyStage.Current
                    // A compromised key is never served again once its replacement is current, even before it is revoked.
                    ? v with { Stage = KeyStage.Previous, KilledAt = operation.Reason == RotationReason.Compromised ? v.KilledAt ?? now : v.KilledAt }
                    : v);
            return managed with { Versions = [.. versions] };
        }, cancellationToken).ConfigureAwait(false);
        return operation with { Step = RotationStep.Promoted };
    }

    private async Task<RotationOperation> StartGraceAsync(RotationOperation operation, CancellationToken cancellationToken)
    {
        var managed = await _keys.GetAsync(operation.Key, cancellationToken).ConfigureAwait(false);
        var grace = operation.Reason == RotationReason.Compromised || operation.PreviousVersionId is null || operation.PreviousRevokedEarly
            ? Duration.Zero
            : operation.GracePeriodOverride ?? managed.Policy.GracePeriod ?? _ironCageOptions.DefaultGracePeriod;
        return operation with { Step = RotationStep.GracePeriod, GraceEndsAt = _clock.GetCurrentInstant() + grace };
    }

    private async Task<RotationOperation> RevokePreviousAsync(RotationOperation operation, CancellationToken cancellationToken)
    {
        if (operation.PreviousVersionId is { } previous && !operation.PreviousRevokedEarly)
        {
            var managed = await _keys.GetAsync(operation.Key, cancellationToken).ConfigureAwait(false);
            var version = managed.FindVersion(previous);
            if (version is { Stage: KeyStage.Current } && !operation.RevokeOnly)
            {
                throw new IronCageException($"Rotation {operation.OperationId} refused to revoke version {previous} of '{operation.Key}': it is still Current.");
            }

            if (version is not null && version.Stage != KeyStage.Revoked)
            {
                if (operation.RevokeOnly)
                {
                    await KillVersionAsync(operation.Key, previous, cancellationToken).ConfigureAwait(false);
                }

                await RetireAtProviderAsync(operation, cancellationToken).ConfigureAwait(false);
                await MarkRevokedAsync(operation.Key, previous, operation.OperationId, cancellationToken).ConfigureAwait(false);
            }
        }

        return operation with { Step = RotationStep.PreviousRevoked };
    }

    private static void RecordEnded(RotationOperation operation, Instant now, string outcome)
    {
        var provider = new KeyValuePair<string, object?>(IronCageTelemetry.ProviderTag, operation.Key.Provider.Value);
        var result = new KeyValuePair<string, object?>(IronCageTelemetry.OutcomeTag, outcome);
        IronCageTelemetry.Rotations.Add(1, provider, result);
        IronCageTelemetry.RotationDurations.Record(Math.Max(0, (now - operation.RequestedAt).TotalSeconds), provider, result);
    }

    private async Task<RotationOperation> CompleteAsync(RotationOperation operation)
    {
        var now = _clock.GetCurrentInstant();
        var done = operation with { Step = RotationStep.Completed, EndedAt = now };
        RecordEnded(operation, now, IronCageTelemetry.SuccessOutcome);
        if (!operation.RevokeOnly)
        {
            Log.RotationCompleted(_logger, operation.OperationId, operation.Key, operation.NewVersionId, operation.NewDisplayHint);
        }

        await AuditAsync(operation.RevokeOnly ? AuditAction.KeyRevoke : AuditAction.KeyRotate, operation.Key, new RotationRequest { Actor = operation.RequestedBy }, AuditOutcome.Success, new() { ["operation"] = operation.OperationId, ["step"] = "completed", ["version"] = operation.RevokeOnly ? operation.PreviousVersionId ?? string.Empty : operation.NewVersionId }, CancellationToken.None).ConfigureAwait(false);
        if (!operation.RevokeOnly)
        {
            await _events.PublishAsync(new RotationCompleted { Key = operation.Key, OccurredAt = now, OperationId = operation.OperationId, VersionId = operation.NewVersionId, DisplayHint = operation.NewDisplayHint }, CancellationToken.None).ConfigureAwait(false);
        }

        return done;
    }

    // Retires the previous key at the provider the way its tier allows.
    private async Task RetireAtProviderAsync(RotationOperation operation, CancellationToken cancellationToken)
    {
        if (!_adapters.TryGetValue(operation.Key.Provider, out var adapter) || operation.Tier == RotationTier.Manual)
        {
            // Nothing to call: a person deletes the old key in the console; IronCage stops serving it.
            return;
        }

        var managed = await _keys.GetAsync(operation.Key, cancellationToken).ConfigureAwait(false);
        var previous = managed.FindVersion(operation.PreviousVersionId ?? string.Empty);
        var providerKeyId = previous?.ProviderKeyId ?? operation.PreviousProviderKeyId
            ?? throw new IronCageException($"Version {operation.PreviousVersionId} of '{operation.Key}' has no provider-side id, so IronCage cannot revoke it. Revoke it at {ConsoleUrl(operation.Key.Provider)}.");

        var context = ProviderKeyContext.For(managed);
        if (operation.Tier == RotationTier.SlotAlternating)
        {
            var slot = previous?.Metadata.GetValueOrDefault(SlotMetadata) ?? providerKeyId;
            using var discarded = await adapter.RegenerateSlotAsync(context, slot, cancellationToken).ConfigureAwait(false);
            return;
        }

        await RetireProviderKeyAsync(adapter, context, providerKeyId, cancellationToken).ConfigureAwait(false);
    }

    private static async Task RetireProviderKeyAsync(IProviderAdapter adapter, ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken)
    {
        try
        {
            if (adapter.Capabilities.HasFlag(ProviderCapabilities.Delete))
            {
                await adapter.DeleteKeyAsync(context, providerKeyId, cancellationToken).ConfigureAwait(false);
            }
            else if (adapter.Capabilities.HasFlag(ProviderCapabilities.Deactivate))
            {
                await adapter.DeactivateKeyAsync(context, providerKeyId, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ProviderRequestException ex) when (ex.Kind == ProviderErrorKind.NotFound)
        {
            // Already gone at the provider: that is what revocation wants.
        }
    }

    private async Task<RotationOperation> RollBackAsync(RotationOperation operation, string reason, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        // Remove the new key at the provider: one IronCage created, or one a person supplied for this rotation that
        // never became current (semi-automatic: deactivated, as that provider cannot delete).
        if (operation.NewProviderKeyId is { } newKeyId && operation.Tier is RotationTier.Automatic or RotationTier.CreateThenDelete or RotationTier.SemiAutomatic
            && _adapters.TryGetValue(operation.Key.Provider, out var adapter))
        {
            try
            {
                var managed = await _keys.GetAsync(operation.Key, cancellationToken).ConfigureAwait(false);
                await RetireProviderKeyAsync(adapter, ProviderKeyContext.For(managed), newKeyId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ProviderRequestException or IronCageException)
            {
                Log.RollbackIncomplete(_logger, operation.OperationId, operation.Key, newKeyId, Describe(ex));
                problems.Add($"the new provider key {newKeyId} could not be removed ({Describe(ex)})");
            }
        }
        else if (operation.CreateAttempted && operation.Tier is RotationTier.Automatic or RotationTier.CreateThenDelete
            && _adapters.TryGetValue(operation.Key.Provider, out var creator))
        {
            // The last create call failed without an answer we could record (a timeout, a 5xx after the provider acted):
            // the provider may hold a key under the attempt's name that nothing else will ever remove.
            await RemoveKeyOfFailedCreateAsync(operation, creator, problems, cancellationToken).ConfigureAwait(false);
        }

        if (operation.PreviousRevokedEarly && operation.PreviousVersionId is { } previousVersionId)
        {
            problems.Add(await RestorePreviousAsync(operation, previousVersionId, cancellationToken).ConfigureAwait(false));
        }

        var now = _clock.GetCurrentInstant();
        await UpdateKeyAsync(operation.Key, managed => managed.FindVersion(operation.NewVersionId) is { Stage: KeyStage.Pending } pending
            ? managed.WithVersion(pending with { Stage = KeyStage.Revoked, RevokedAt = now })
            : null, cancellationToken).ConfigureAwait(false);

        var message = problems.Count == 0 ? reason : $"{reason} Rollback: {string.Join("; ", problems)}.";
        Log.RotationFailed(_logger, operation.OperationId, operation.Key, operation.Step, message);
        RecordEnded(operation, now, IronCageTelemetry.FailureOutcome);

        // Audit and alert before the operation is recorded as ended (as CompleteAsync does): a crash in between leaves it
        // unfinished, so it is resumed and alerts again, instead of ending with no alert at all.
        await AuditAsync(AuditAction.KeyRotate, operation.Key, new RotationRequest { Actor = operation.RequestedBy }, AuditOutcome.Failure, new() { ["operation"] = operation.OperationId, ["step"] = operation.Step.ToString(), ["error"] = message }, CancellationToken.None).ConfigureAwait(false);
        await _events.PublishAsync(new RotationFailed { Key = operation.Key, OccurredAt = now, OperationId = operation.OperationId, Step = operation.Step, Reason = message }, CancellationToken.None).ConfigureAwait(false);
        return await PersistAsync(operation with { Step = RotationStep.Failed, LastError = message, EndedAt = now, NextAttemptAt = null, NewSecret = null, Attempts = operation.Attempts + 1 }, cancellationToken).ConfigureAwait(false);
    }

    // A revoke-first emergency revoked the old key before the new one existed, so when the new one fails the managed key
    // has nothing to serve. A create-then-delete provider can undelete the old key: it becomes the Current version again,
    // still killed (never served), so IronCage keeps track of a key that is live at the provider and the operator's next
    // rotation retires it. Left Revoked, it would be live at the provider with nothing that ever revokes it again.
    private async Task<string> RestorePreviousAsync(RotationOperation operation, string previousVersionId, CancellationToken cancellationToken)
    {
        var noUsableVersion = $"'{operation.Key}' has no usable version until a rotation succeeds";
        if (operation.Tier != RotationTier.CreateThenDelete || operation.PreviousProviderKeyId is not { } previousId
            || !_adapters.TryGetValue(operation.Key.Provider, out var undeleter) || !undeleter.Capabilities.HasFlag(ProviderCapabilities.Undelete))
        {
            return $"the previous version {previousVersionId} was revoked first and cannot be restored: {noUsableVersion}";
        }

        try
        {
            var managed = await _keys.GetAsync(operation.Key, cancellationToken).ConfigureAwait(false);
            await undeleter.UndeleteKeyAsync(ProviderKeyContext.For(managed), previousId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ProviderRequestException or IronCageException)
        {
            return $"the previous key {previousId} was revoked first and could not be undeleted ({Describe(ex)}): {noUsableVersion}";
        }

        await UpdateKeyAsync(operation.Key, managed => managed.CurrentVersion is null && managed.FindVersion(previousVersionId) is { Stage: KeyStage.Revoked } previous
            ? managed.WithVersion(previous with { Stage = KeyStage.Current, RevokedAt = null })
            : null, cancellationToken).ConfigureAwait(false);
        return $"the previous key {previousId} was undeleted at the provider and is the Current version again, but it stays killed locally (never served) until an operator rotates the key again";
    }

    private async Task RemoveKeyOfFailedCreateAsync(RotationOperation operation, IProviderAdapter adapter, List<string> problems, CancellationToken cancellationToken)
    {
        if (!adapter.Capabilities.HasFlag(ProviderCapabilities.List))
        {
            problems.Add($"the provider cannot list keys, so a key it may have created as '{operation.ProviderKeyName}' could not be looked for; check its console ({ConsoleUrl(operation.Key.Provider)})");
            return;
        }

        try
        {
            var managed = await _keys.GetAsync(operation.Key, cancellationToken).ConfigureAwait(false);
            await RemoveInterruptedCreateAsync(operation, adapter, ProviderKeyContext.For(managed), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ProviderRequestException or IronCageException)
        {
            Log.RollbackIncomplete(_logger, operation.OperationId, operation.Key, operation.ProviderKeyName, Describe(ex));
            problems.Add($"a key the provider may have created as '{operation.ProviderKeyName}' could not be looked for and removed ({Describe(ex)})");
        }
    }

    private async Task<ManagedKey> KillVersionAsync(KeyReference key, string versionId, CancellationToken cancellationToken)
    {
        var now = _clock.GetCurrentInstant();
        var changed = false;
        var updated = await UpdateKeyAsync(key, managed =>
        {
            var version = managed.FindVersion(versionId) ?? throw new IronCageException($"Managed key '{key}' has no version '{versionId}'.");
            changed = version.KilledAt is null;
            return changed ? managed.WithVersion(version with { KilledAt = now }) : null;
        }, cancellationToken).ConfigureAwait(false);
        if (changed)
        {
            // Only the call that actually killed the version tells the world (a resumed step must not repeat it).
            Log.VersionKilled(_logger, key, versionId);
            await _events.PublishAsync(new KeyKilled { Key = key, OccurredAt = now, VersionId = versionId }, cancellationToken).ConfigureAwait(false);
        }

        return updated;
    }

    private async Task<ManagedKey> MarkRevokedAsync(KeyReference key, string versionId, string operationId, CancellationToken cancellationToken)
    {
        var localOnly = !_adapters.TryGetValue(key.Provider, out var adapter) || TierOfCapabilities(key.Provider, adapter.Capabilities) == RotationTier.Manual;
        var now = _clock.GetCurrentInstant();
        var updated = await UpdateKeyAsync(key, managed => managed.FindVersion(versionId) is { } version && version.Stage != KeyStage.Revoked
            ? managed.WithVersion(version with { Stage = KeyStage.Revoked, RevokedAt = now })
            : null, cancellationToken).ConfigureAwait(false);
        await _events.PublishAsync(new KeyRevoked { Key = key, OccurredAt = now, OperationId = operationId, VersionId = versionId, LocalOnly = localOnly, ConsoleUrl = ConsoleUri(key.Provider) }, cancellationToken).ConfigureAwait(false);
        return updated;
    }

    // Applies a change to the managed key, re-reading it when another writer got there first. `change` returns null
    // when there is nothing to do (the step already happened before a crash).
    private async Task<ManagedKey> UpdateKeyAsync(KeyReference key, Func<ManagedKey, ManagedKey?> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var managed = await _keys.GetAsync(key, cancellationToken).ConfigureAwait(false);
            if (change(managed) is not { } updated)
            {
                return managed;
            }

            try
            {
                return await _keys.UpdateAsync(updated, cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyConflictException) when (attempt < StoreConflictRetries)
            {
                // Someone else changed the key (usage, a kill switch): read again and re-apply.
            }
        }
    }

    private async Task<RotationOperation> PersistAsync(RotationOperation operation, CancellationToken cancellationToken)
    {
        var stored = await _operations.UpdateAsync(operation with { UpdatedAt = _clock.GetCurrentInstant() }, cancellationToken).ConfigureAwait(false);
        Log.StepReached(_logger, stored.OperationId, stored.Key, stored.Step);
        if (_options.AfterStep is { } afterStep)
        {
            try
            {
                await afterStep(stored, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                ex.Data[SimulatedCrashMarker] = true;
                throw;
            }
        }

        return stored;
    }

    // The provider adapter verifies when it can (it knows the provider's scope and endpoints); otherwise the catalog's verify call.
    private Task<KeyVerificationResult> VerifyAsync(ProviderKeyContext context, SecretValue secret, CancellationToken cancellationToken)
        => _adapters.TryGetValue(context.Key.Provider, out var adapter) && adapter.Capabilities.HasFlag(ProviderCapabilities.Verify)
            ? adapter.VerifyAsync(context, secret, cancellationToken)
            : _verifier.VerifyAsync(context.Key.Provider, secret, new KeyVerificationOptions { Kind = context.Kind, Parameters = context.Scope }, cancellationToken);

    private async Task AuditAsync(AuditAction action, KeyReference key, RotationRequest request, AuditOutcome outcome, Dictionary<string, string> details, CancellationToken cancellationToken)
    {
        await _audit.AppendAsync(new AuditEvent
        {
            Actor = request.Actor,
            Action = action,
            Target = key.ToString(),
            Timestamp = _clock.GetCurrentInstant(),
            IpAddress = request.IpAddress,
            Reason = request.Note,
            Outcome = outcome,
            Details = details,
        }, cancellationToken).ConfigureAwait(false);
    }
}
