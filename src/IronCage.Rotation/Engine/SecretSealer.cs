using IronCage.Encryption;

namespace IronCage.Rotation;

/// <summary>Turns a new key into what may be stored: sealed to its managed key and version, with its hint and fingerprint.</summary>
internal sealed class SecretSealer
{
    private readonly ISecretProtector _protector;
    private readonly ISecretFingerprinter _fingerprinter;

    public SecretSealer(ISecretProtector protector, ISecretFingerprinter fingerprinter)
    {
        _protector = protector;
        _fingerprinter = fingerprinter;
    }

    public ValueTask<EncryptedSecret> SealAsync(SecretValue secret, KeyReference key, string versionId, CancellationToken cancellationToken)
        => _protector.SealAsync(secret, new SecretBinding(key, versionId), cancellationToken);

    public ValueTask<SecretValue> OpenAsync(KeyVersion version, KeyReference key, CancellationToken cancellationToken)
        => _protector.OpenAsync(version.Secret, new SecretBinding(key, version.VersionId), cancellationToken);

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
