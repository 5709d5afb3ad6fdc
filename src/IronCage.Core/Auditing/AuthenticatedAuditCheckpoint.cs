using NodaTime;

namespace IronCage.Auditing;

/// <summary>
/// An <see cref="AuditCheckpoint"/> with a MAC (HMAC-SHA256 under a key derived from the master key), as exported
/// out of the database by <see cref="AuditCheckpointExporter"/>: whoever can write the database cannot make one, so a
/// chain cut below it, or rewritten up to it, is reported by <see cref="IAuditLog.VerifyAsync"/>.
/// </summary>
/// <param name="Checkpoint">The chain's head when the checkpoint was taken.</param>
/// <param name="TakenAt">When it was taken.</param>
/// <param name="KeyId">The id of the master key the MAC key was derived from.</param>
/// <param name="Mac">The MAC over the checkpoint and <paramref name="TakenAt"/>, base64url.</param>
public sealed record AuthenticatedAuditCheckpoint(AuditCheckpoint Checkpoint, Instant TakenAt, string KeyId, string Mac);
