namespace IronCage.Rotation;

/// <summary>
/// Re-wraps the data keys of every stored secret under the current key-encryption key (KEK) — step 2 of a master-key
/// or KMS-key rotation — and reports which KEKs the store still references, so an old one is retired only when nothing
/// needs it.
/// </summary>
/// <remarks>
/// A master-key rotation is: configure the new KEK as current and keep the old one available (for the local master key,
/// in <c>LocalMasterKeyOptions.RetiredMasterKeys</c>); run <see cref="RewrapAsync"/>; check <see cref="GetStatusAsync"/>
/// until <see cref="KeyEncryptionStatus.IsRetirable"/> is true for the old KEK; then remove it. Each secret's data key
/// is unwrapped and wrapped again; the secret itself is opened in memory once, only to renew its fingerprint (fingerprint
/// keys derive from the master key, and a fingerprint made under the old one would stop matching leaked text once that
/// key is removed), and zeroed at once. The work is resumable by construction: what still
/// needs re-wrapping is read from the store each time (a secret whose KEK id is not the current one), so a run that was
/// stopped or crashed is finished by running it again.
/// </remarks>
public interface IKeyRewrapper
{
    /// <summary>Counts the stored secrets per KEK: key versions and the new keys of unfinished rotations.</summary>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The status.</returns>
    Task<KeyEncryptionStatus> GetStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Re-wraps every stored secret whose data key is wrapped by a KEK other than the current one, in batches of
    /// <see cref="KeyRewrapRequest.BatchSize"/> keys; each key's change is written on its own and audited as
    /// <c>key.rewrap</c>.
    /// </summary>
    /// <param name="request">The batch size, the actor for the audit trail, and a dry run.</param>
    /// <param name="progress">Receives progress after each batch.</param>
    /// <param name="cancellationToken">Stops after the key being written; run again to finish.</param>
    /// <returns>What was re-wrapped.</returns>
    /// <exception cref="SecretDecryptionException">A data key's KEK is not available (the old master key is not configured as retired).</exception>
    Task<KeyRewrapResult> RewrapAsync(KeyRewrapRequest? request = null, IProgress<KeyRewrapProgress>? progress = null, CancellationToken cancellationToken = default);
}
