namespace IronCage.Auditing;

/// <summary>
/// Checks audit rows one at a time, in stored order, then the end of the log against the head the store keeps
/// (<paramref name="storedHead"/>) and against a checkpoint kept outside the store (<paramref name="checkpoint"/>).
/// </summary>
/// <remarks>A stored head with a negative sequence stands for a head row the store should have but could not find (<see cref="MissingHead"/>).</remarks>
internal sealed class AuditChainVerifier(AuditCheckpoint? checkpoint, AuditCheckpoint? storedHead)
{
    /// <summary>The stored head of a store whose head row is gone.</summary>
    public static readonly AuditCheckpoint MissingHead = new(-1, string.Empty);

    private long _expected = 1;
    private string _previousHash = AuditChain.GenesisHash;
    private long _checked;
    private long _stoppedAt;

    public long? ExpectedSequence => _stoppedAt == 0 ? null : _expected;

    public AuditVerificationResult? Step(AuditRow record)
    {
        if (record.Sequence != _expected)
        {
            _stoppedAt = record.Sequence;
            if (record.Sequence == _expected - 1 && string.Equals(record.Hash, _previousHash, StringComparison.Ordinal))
            {
                return Fail(record.Sequence, AuditTamperKind.Duplicated, $"Audit record {record.Sequence} appears twice.");
            }

            return record.Sequence < _expected
                ? Fail(_expected, AuditTamperKind.Reordered, $"Audit records are out of order at position {_expected}: record {record.Sequence} stands there.")
                : Fail(_expected, AuditTamperKind.Missing, $"Audit record {_expected} is missing: the log jumps to {record.Sequence}.");
        }

        if (record.Event is not { } auditEvent)
        {
            return Fail(record.Sequence, AuditTamperKind.Unreadable, $"Audit record {record.Sequence} cannot be read: its stored event is not what IronCage writes, so it was changed outside IronCage.");
        }

        if (!string.Equals(record.PreviousHash, _previousHash, StringComparison.Ordinal))
        {
            return Fail(record.Sequence, AuditTamperKind.BrokenLink, $"Audit record {record.Sequence} does not link to record {record.Sequence - 1}: one of them was replaced or rewritten.");
        }

        if (!string.Equals(AuditChain.ComputeHash(record.Sequence, record.PreviousHash, auditEvent), record.Hash, StringComparison.Ordinal))
        {
            return Fail(record.Sequence, AuditTamperKind.Modified, $"Audit record {record.Sequence} was modified: its content no longer matches its hash.");
        }

        if (checkpoint is { } known && record.Sequence == known.Sequence && !string.Equals(record.Hash, known.Hash, StringComparison.Ordinal))
        {
            return Fail(record.Sequence, AuditTamperKind.Modified, $"Audit record {record.Sequence} differs from the checkpoint taken of it: the chain was rewritten up to there.");
        }

        _previousHash = record.Hash;
        _checked++;
        _expected++;
        return null;
    }

    public AuditVerificationResult Reordered()
        => Fail(_expected, AuditTamperKind.Reordered, $"Audit records are out of order at position {_expected}: record {_stoppedAt} stands there.");

    public AuditVerificationResult Finish()
    {
        if (storedHead is { } head)
        {
            if (head.Sequence < 0)
            {
                return Fail(_checked + 1, AuditTamperKind.Missing, "The audit log's head row is gone: it was deleted outside IronCage, so records cut from the end of the log cannot be told from an intact log. Verify against an exported checkpoint.");
            }

            if (head.Sequence > _checked)
            {
                return Fail(_checked + 1, AuditTamperKind.Missing, $"The audit log ends at record {_checked}, but its head row says record {head.Sequence} was written: records were cut from its end.");
            }

            if (head.Sequence < _checked)
            {
                return Fail(head.Sequence + 1, AuditTamperKind.Inserted, $"The audit log holds records after {head.Sequence}, the last one its head row knows: record {head.Sequence + 1} was not appended by IronCage (or the head row was set back).");
            }

            if (head.Sequence > 0 && !string.Equals(head.Hash, _previousHash, StringComparison.Ordinal))
            {
                return Fail(head.Sequence, AuditTamperKind.Modified, $"Audit record {head.Sequence} differs from the head row written with it: the record or the head row was rewritten.");
            }
        }

        if (checkpoint is { } known && _checked < known.Sequence)
        {
            return Fail(_checked + 1, AuditTamperKind.Missing, $"The audit log ends at record {_checked}, but a checkpoint saw record {known.Sequence}: records were cut from its end.");
        }

        var newHead = _checked == 0 ? (AuditCheckpoint?)null : new AuditCheckpoint(_checked, _previousHash);
        return new AuditVerificationResult(_checked, newHead, null, null, $"The audit chain of {_checked} record(s) is intact.");
    }

    private AuditVerificationResult Fail(long sequence, AuditTamperKind kind, string message)
        => new(_checked, null, sequence, kind, message);
}
