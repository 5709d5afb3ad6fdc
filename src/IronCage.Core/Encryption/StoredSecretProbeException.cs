namespace IronCage.Encryption;

/// <summary>
/// The configured master key does not open a secret already in the key store. Thrown by
/// <see cref="StoredSecretProbe.OpenFirstAsync"/>; the message names the version and the fix, never a secret.
/// </summary>
public sealed class StoredSecretProbeException : IronCageException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="probed">The version that did not open.</param>
    /// <param name="innerException">The decryption failure.</param>
    public StoredSecretProbeException(StoredSecretProbeResult probed, SecretDecryptionException innerException)
        : base(
            $"The configured master key does not open the secrets already in the key store (version {probed?.VersionId} of '{probed?.Key}'): {innerException?.Message} Configure the master key that sealed them (ProtectKeysWithMasterKey, IRONCAGE_MASTER_KEY or the key file); after a master-key rotation, add the old key to LocalMasterKeyOptions.RetiredMasterKeys.",
            innerException)
    {
        ArgumentNullException.ThrowIfNull(probed);
        Probed = probed;
    }

    /// <summary>Gets the version that did not open.</summary>
    public StoredSecretProbeResult Probed { get; }
}
