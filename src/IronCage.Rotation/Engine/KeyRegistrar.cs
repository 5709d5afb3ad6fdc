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
        var now = _clock.GetCurrentInstant();
        var versionId = KeyVersion.NewVersionId();
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
                    Slot = _providers.SlotOf(registration.Reference.Provider, providerKeyId),
                    Stage = KeyStage.Current,
                    CreatedAt = now,
                    ActivatedAt = now,
                    ExpiresAt = registration.ExpiresAt ?? providerExpiresAt,
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
