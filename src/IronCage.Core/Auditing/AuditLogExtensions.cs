namespace IronCage.Auditing;

/// <summary>Verification of an <see cref="IAuditLog"/> against an exported, authenticated checkpoint.</summary>
public static class AuditLogExtensions
{
    /// <summary>
    /// Verifies the whole chain against the latest checkpoint exported out of the database: after checking the
    /// checkpoint's MAC, a chain that ends below it (a cut tail) or differs from it (a rewrite) is reported.
    /// </summary>
    /// <param name="log">The audit log.</param>
    /// <param name="checkpoint">The latest checkpoint, or <see langword="null"/> when none was exported yet.</param>
    /// <param name="authenticator">Checks the checkpoint's MAC.</param>
    /// <param name="cancellationToken">Cancels the verification.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="AuditCheckpointException">The checkpoint's MAC does not verify.</exception>
    public static ValueTask<AuditVerificationResult> VerifyAsync(this IAuditLog log, AuthenticatedAuditCheckpoint? checkpoint, AuditCheckpointAuthenticator authenticator, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(authenticator);
        if (checkpoint is not null && !authenticator.IsAuthentic(checkpoint))
        {
            throw new AuditCheckpointException(
                checkpoint.Checkpoint.Sequence,
                $"The audit checkpoint at record {checkpoint.Checkpoint.Sequence} does not carry a valid MAC: it was forged or changed, or made under a master key this host does not have (key id '{checkpoint.KeyId}'). Keep retired master keys in the ring (LocalMasterKeyOptions.RetiredMasterKeys), or restore the checkpoint file from its backup.");
        }

        return log.VerifyAsync(checkpoint?.Checkpoint, cancellationToken);
    }
}
