using IronCage.Auditing;
using IronCage.Providers;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>Registers an existing key as a new managed key: validated, verified if asked, identified at the provider, sealed and stored.</summary>
internal sealed class KeyRegistrar
{
    private readonly ManagedKeyWriter _keys;
    private readonly RotationProviders _providers;
    private readonly KeyFormatValidator _validator;
    private readonly SecretSealer _sealer;
    private readonly RotationJournal _journal;
    private readonly IClock _clock;

    public KeyRegistrar(ManagedKeyWriter keys, RotationProviders providers, KeyFormatValidator validator, SecretSealer sealer, RotationJournal journal, IClock clock)
    {
        _keys = keys;
        _providers = providers;
        _validator = validator;
        _sealer = sealer;
        _journal = journal;
        _clock = clock;
    }

    public async Task<ManagedKey> RegisterAsync(KeyRegistration registration, SecretValue secret, RotationRequest request, CancellationToken cancellationToken)
    {
        _validator.Validate(registration.Reference.Provider, secret, registration.Kind);
        var context = new ProviderKeyContext { Key = registration.Reference, Kind = registration.Kind, Scope = registration.Scope };
        if (registration.Verify)
        {
            (await _providers.VerifyAsync(context, secret, cancellationToken).ConfigureAwait(false)).EnsureValid();
        }

        var (providerKeyId, providerExpiresAt) = await ResolveProviderKeyIdAsync(registration, context, secret, cancellationToken).ConfigureAwait(false);
        return await StoreAsync(registration, registration.Policy, secret, providerKeyId, registration.ExpiresAt ?? providerExpiresAt, request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Registers a managed key of the <see cref="RotationTier.Generated"/> tier: its first key is generated from the host's
    /// credentials, checked, verified if asked, sealed and stored. The policy gets
    /// <see cref="IronCageConstants.DefaultRenewBeforeExpiry"/> when it sets no renewal lead, so the key is renewed unattended.
    /// </summary>
    public async Task<ManagedKey> RegisterGeneratedAsync(KeyRegistration registration, RotationRequest request, CancellationToken cancellationToken)
    {
        var reference = registration.Reference;
        var tier = _providers.TierOf(reference.Provider);
        if (tier != RotationTier.Generated)
        {
            throw new IronCageException($"'{reference}' rotates with the {tier} tier: IronCage cannot generate its keys. Register it with its key value (RegisterAsync).");
        }

        var policy = registration.Policy.RenewBeforeExpiry is null ? registration.Policy with { RenewBeforeExpiry = IronCageConstants.DefaultRenewBeforeExpiry } : registration.Policy;
        policy.Validate();
        var context = new ProviderKeyContext { Key = reference, Kind = registration.Kind, Scope = registration.Scope };
        var generator = _providers.Require(reference) as IKeyGeneratingProviderAdapter
            ?? throw new IronCageException($"The {reference.Provider} adapter says it generates keys (ProviderCapabilities.Generate) but does not implement IKeyGeneratingProviderAdapter.");
        using var generated = await generator.GenerateKeyAsync(new GenerateProviderKeyRequest { Context = context, Lifetime = policy.KeyLifetime }, cancellationToken).ConfigureAwait(false);
        var expiresAt = generated.ExpiresAt ?? throw new IronCageException($"The {reference.Provider} adapter generated a key without an expiry for '{reference}'; a generated key must expire, since nothing can revoke it.");
        _validator.Validate(reference.Provider, generated.Secret, registration.Kind);
        if (registration.Verify)
        {
            (await _providers.VerifyAsync(context, generated.Secret, cancellationToken).ConfigureAwait(false)).EnsureValid();
        }

        var stored = await StoreAsync(registration, policy, generated.Secret, generated.ProviderKeyId, expiresAt, request, cancellationToken).ConfigureAwait(false);
        Log.GeneratedKeyRegistered(_journal.Logger, reference, stored.CurrentVersion!.VersionId, generated.Secret.DisplayHint, expiresAt);
        return stored;
    }

    private async Task<ManagedKey> StoreAsync(KeyRegistration registration, RotationPolicy policy, SecretValue secret, string? providerKeyId, Instant? expiresAt, RotationRequest request, CancellationToken cancellationToken)
    {
        var now = _clock.GetCurrentInstant();
        var versionId = KeyVersion.NewVersionId();
        var key = new ManagedKey
        {
            Reference = registration.Reference,
            Kind = registration.Kind,
            Description = registration.Description,
            Labels = registration.Labels,
            Scope = registration.Scope,
            Policy = policy,
            Limits = registration.Limits,
            CreatedAt = now,
            Versions =
            [
                new KeyVersion
                {
                    VersionId = versionId,
                    ProviderKeyId = providerKeyId,
                    Slot = _providers.SlotOf(registration.Reference.Provider, providerKeyId),
                    Stage = KeyStage.Current,
                    CreatedAt = now,
                    ActivatedAt = now,
                    ExpiresAt = expiresAt,
                    DisplayHint = secret.DisplayHint,
                    Fingerprint = _sealer.Fingerprint(secret),
                    Secret = await _sealer.SealAsync(secret, registration.Reference, versionId, cancellationToken).ConfigureAwait(false),
                },
            ],
        };

        var stored = await _keys.CreateAsync(key, cancellationToken).ConfigureAwait(false);
        await _journal.AuditAsync(AuditAction.KeyCreate, registration.Reference, request, AuditOutcome.Success, new() { ["version"] = versionId, ["hint"] = secret.DisplayHint }, cancellationToken).ConfigureAwait(false);
        return stored;
    }

    // A key IronCage may have to revoke must be known to the provider by id (and, for slot providers, by slot): without
    // it a later revocation could only pretend. Found by listing the provider's keys when not given; the listing also
    // tells the key's expiry where the provider sets it (Anthropic's expires_at), so expiry warnings follow it.
    private async Task<(string? ProviderKeyId, Instant? ExpiresAt)> ResolveProviderKeyIdAsync(KeyRegistration registration, ProviderKeyContext context, SecretValue secret, CancellationToken cancellationToken)
    {
        var provider = registration.Reference.Provider;
        var tier = _providers.TierOf(provider);
        if (tier == RotationTier.Generated)
        {
            // A generated key exists nowhere at the provider: there is no id to look up, and nothing to revoke by one.
            return (registration.ProviderKeyId, null);
        }

        if (tier == RotationTier.Manual)
        {
            if (_providers.MissingAdapterFix(provider) is { } fix)
            {
                Log.AdapterMissing(_journal.Logger, registration.Reference, fix);
            }

            return (registration.ProviderKeyId, null);
        }

        var providerKeyId = registration.ProviderKeyId;
        Instant? expiresAt = null;
        if (providerKeyId is null)
        {
            if (!_providers.Require(registration.Reference).Capabilities.HasFlag(ProviderCapabilities.List))
            {
                throw new IronCageException($"Registering '{registration.Reference}' needs KeyRegistration.ProviderKeyId: IronCage revokes {provider} keys by id and cannot look it up.");
            }

            var found = await _providers.FindListedKeyAsync(context, secret, cancellationToken).ConfigureAwait(false);
            (providerKeyId, expiresAt) = (found.ProviderKeyId, found.ExpiresAt);
        }

        var slots = _providers.SlotsOf(provider);
        if (tier == RotationTier.SlotAlternating && !slots.Contains(providerKeyId))
        {
            throw new IronCageException($"'{registration.Reference}' rotates by alternating slots: KeyRegistration.ProviderKeyId must name the slot that holds this key ({string.Join(" or ", slots)}), not '{providerKeyId}'.");
        }

        return (providerKeyId, expiresAt);
    }
}
