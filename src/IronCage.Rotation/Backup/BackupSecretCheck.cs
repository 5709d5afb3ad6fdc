using IronCage.Encryption;

namespace IronCage.Rotation;

/// <summary>
/// Opens every sealed secret of a verified backup in memory (zeroed at once) and checks its fingerprint, before a restore
/// writes anything: a restore never leaves a store this host cannot open, or whose fingerprints stopped matching leaked
/// text (fingerprint keys derive from the master key, or are KMS hosts' own <c>FingerprintKey</c>).
/// </summary>
internal sealed class BackupSecretCheck(ISecretProtector protector, ISecretFingerprinter fingerprinter)
{
    /// <summary>Checks every version and every operation's new key; returns how many secrets were opened.</summary>
    public async Task<int> CheckAsync(VerifiedBackup backup, CancellationToken cancellationToken)
    {
        var opened = 0;
        foreach (var key in backup.Keys)
        {
            foreach (var version in key.Versions)
            {
                await CheckAsync(backup, version.Secret, new SecretBinding(key.Reference, version.VersionId), version.Fingerprint, cancellationToken).ConfigureAwait(false);
                opened++;
            }
        }

        foreach (var operation in backup.Operations)
        {
            if (operation.NewSecret is { } secret && !operation.IsFinished)
            {
                await CheckAsync(backup, secret, new SecretBinding(operation.Key, operation.NewVersionId), operation.NewFingerprint, cancellationToken).ConfigureAwait(false);
                opened++;
            }
        }

        return opened;
    }

    private async Task CheckAsync(VerifiedBackup backup, EncryptedSecret secret, SecretBinding binding, string? fingerprint, CancellationToken cancellationToken)
    {
        SecretValue value;
        try
        {
            value = await protector.OpenAsync(secret, binding, cancellationToken).ConfigureAwait(false);
        }
        catch (SecretDecryptionException e)
        {
            throw new StoreBackupException(
                StoreBackupProblem.KeyEncryptionKeyUnavailable,
                $"Backup {backup.BackupId}: the secret of {binding} is sealed under key-encryption key '{secret.KeyEncryptionKeyId}' and does not open on this host. Configure that master key (as the master key or in RetiredMasterKeys) or KMS key, then restore again. Nothing was restored.",
                secret.KeyEncryptionKeyId,
                e);
        }

        using (value)
        {
            if (fingerprint is not null && !fingerprinter.Matches(value, fingerprint))
            {
                throw new StoreBackupException(
                    StoreBackupProblem.FingerprintMismatch,
                    $"Backup {backup.BackupId}: the fingerprint of {binding} does not match under this host's fingerprint key, so leaked copies of it would not be recognised. Restore with the master key (or KMS FingerprintKey) of the host that exported it. Nothing was restored.");
            }
        }
    }
}
