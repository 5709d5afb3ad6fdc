using IronCage.Storage;

namespace IronCage.Encryption;

/// <summary>
/// Opens one stored secret with the configured master key and drops the plaintext at once: the check behind the
/// rotation start-up check and the master-key health check, so a wrong or rotated-away master key is found before a
/// request or a rotation needs a key.
/// </summary>
public static class StoredSecretProbe
{
    /// <summary>Finds the first servable version the store lists and opens it.</summary>
    /// <param name="keys">The key store.</param>
    /// <param name="protector">The secret protector (the configured master key).</param>
    /// <param name="cancellationToken">Cancels the probe.</param>
    /// <returns>What was opened, or <see cref="StoredSecretProbeResult.Nothing"/> when the store holds no servable version.</returns>
    /// <exception cref="StoredSecretProbeException">The master key does not open the secret; names the version probed.</exception>
    /// <exception cref="KeyStateTamperedException">The store refused the version's state while listing.</exception>
    public static async ValueTask<StoredSecretProbeResult> OpenFirstAsync(IKeyStore keys, ISecretProtector protector, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(protector);
        await foreach (var key in keys.ListAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (key.Versions.FirstOrDefault(v => v.IsServable) is not { } version)
            {
                continue;
            }

            var probed = new StoredSecretProbeResult(key.Reference, version.VersionId, version.DisplayHint, version.Secret.KeyEncryptionKeyId);
            try
            {
                using var opened = await protector.OpenAsync(version.Secret, new SecretBinding(key.Reference, version.VersionId), cancellationToken).ConfigureAwait(false);
            }
            catch (SecretDecryptionException ex)
            {
                throw new StoredSecretProbeException(probed, ex);
            }

            return probed;
        }

        return StoredSecretProbeResult.Nothing;
    }
}
