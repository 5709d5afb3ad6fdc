using IronCage.Encryption;
using IronCage.Providers;

namespace IronCage.Rotation;

/// <summary>Turns a new key into what may be stored: sealed to its managed key and version, with its hint and fingerprint.</summary>
internal sealed class SecretSealer
{
    private readonly ISecretProtector _protector;
    private readonly ISecretFingerprinter _fingerprinter;
    private readonly KeyFormatValidator _validator;
    private readonly IProviderCatalog _catalog;

    public SecretSealer(ISecretProtector protector, ISecretFingerprinter fingerprinter, KeyFormatValidator validator, IProviderCatalog catalog)
    {
        _protector = protector;
        _fingerprinter = fingerprinter;
        _validator = validator;
        _catalog = catalog;
    }

    /// <summary>
    /// Checks a key a provider handed back against the provider's key format in the catalog (a provider the catalog does
    /// not know has no format to check); <see langword="null"/> when it may be stored, the failed check otherwise.
    /// </summary>
    public KeyValidationResult? Refusal(ProviderId provider, SecretValue secret, KeyKind kind)
    {
        if (!_catalog.TryGetDescriptor(provider, out _))
        {
            return null;
        }

        var result = _validator.Check(provider, secret, kind);
        return result.IsValid ? null : result;
    }

    public ValueTask<EncryptedSecret> SealAsync(SecretValue secret, KeyReference key, string versionId, CancellationToken cancellationToken)
        => _protector.SealAsync(secret, new SecretBinding(key, versionId), cancellationToken);

    public ValueTask<SecretValue> OpenAsync(KeyVersion version, KeyReference key, CancellationToken cancellationToken)
        => _protector.OpenAsync(version.Secret, new SecretBinding(key, version.VersionId), cancellationToken);

    public ValueTask<SecretValue> OpenAsync(EncryptedSecret secret, KeyReference key, string versionId, CancellationToken cancellationToken)
        => _protector.OpenAsync(secret, new SecretBinding(key, versionId), cancellationToken);

    public string Fingerprint(SecretValue secret) => _fingerprinter.Compute(secret);

    /// <summary>Whether <paramref name="secret"/> is already a live version of <paramref name="key"/>.</summary>
    public bool IsVersionOf(ManagedKey key, SecretValue secret)
        => key.Versions.Any(v => v.Stage != KeyStage.Revoked && _fingerprinter.Matches(secret, v.Fingerprint));

    /// <summary>Records the obtained key in the operation, sealed: the step <see cref="RotationStep.CreatedAtProvider"/>.</summary>
    public async Task<RotationOperation> RecordAsync(RotationOperation operation, ObtainedKey obtained, CancellationToken cancellationToken)
    {
        var sealedSecret = await SealAsync(obtained.Secret, operation.Key, operation.NewVersionId, cancellationToken).ConfigureAwait(false);
        return operation with
        {
            Step = RotationStep.CreatedAtProvider,
            NewProviderKeyId = obtained.ProviderKeyId,
            NewSecret = sealedSecret,
            NewDisplayHint = obtained.Secret.DisplayHint,
            NewFingerprint = Fingerprint(obtained.Secret),
            NewExpiresAt = obtained.ExpiresAt,
        };
    }
}
