using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IronCage.Auditing;

/// <summary>
/// The audit log's hash chain, shared by every <see cref="IAuditLog"/> implementation: each record's hash is
/// SHA-256 over a length-prefixed encoding of its sequence, the previous record's hash and the event's fields, so
/// editing, deleting or reordering a record breaks the chain at that point.
/// </summary>
public static class AuditChain
{
    /// <summary>The "previous hash" of the first record: 64 zeros.</summary>
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    private const string FormatLabel = "IronCage.Audit.v1";

    /// <summary>Computes a record's hash.</summary>
    /// <param name="sequence">The record's sequence number.</param>
    /// <param name="previousHash">The previous record's hash.</param>
    /// <param name="auditEvent">The event.</param>
    /// <returns>The hash as 64 lower-case hex characters.</returns>
    public static string ComputeHash(long sequence, string previousHash, AuditEvent auditEvent)
    {
        ArgumentNullException.ThrowIfNull(previousHash);
        ArgumentNullException.ThrowIfNull(auditEvent);

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, FormatLabel);
        Append(hash, sequence.ToString(CultureInfo.InvariantCulture));
        Append(hash, previousHash);
        Append(hash, auditEvent.Timestamp.ToUnixTimeTicks().ToString(CultureInfo.InvariantCulture));
        Append(hash, auditEvent.Actor);
        Append(hash, auditEvent.Action.Value);
        Append(hash, auditEvent.Target);
        Append(hash, auditEvent.IpAddress);
        Append(hash, auditEvent.Reason);
        Append(hash, OutcomeText(auditEvent.Outcome));
        Append(hash, auditEvent.Details.Count.ToString(CultureInfo.InvariantCulture));
        foreach (var (key, value) in auditEvent.Details.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            Append(hash, key);
            Append(hash, value);
        }

        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    /// <summary>Creates the record that follows <paramref name="previous"/> (or the first record).</summary>
    /// <param name="previous">The last record, or <see langword="null"/> for an empty log.</param>
    /// <param name="auditEvent">The event to append.</param>
    /// <returns>The new record.</returns>
    public static AuditRecord Next(AuditRecord? previous, AuditEvent auditEvent)
    {
        var sequence = (previous?.Sequence ?? 0) + 1;
        var previousHash = previous?.Hash ?? GenesisHash;
        return new AuditRecord(sequence, auditEvent, previousHash, ComputeHash(sequence, previousHash, auditEvent));
    }

    /// <summary>Verifies records in stored order.</summary>
    /// <param name="records">The records, as stored.</param>
    /// <param name="checkpoint">A head kept outside the log, to detect records cut from its end.</param>
    /// <returns>The outcome, naming the first tampered or missing record.</returns>
    public static AuditVerificationResult Verify(IEnumerable<AuditRecord> records, AuditCheckpoint? checkpoint = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        var verifier = new ChainVerifier(checkpoint);
        using var enumerator = records.GetEnumerator();
        while (enumerator.MoveNext())
        {
            if (verifier.Step(enumerator.Current) is { } failure)
            {
                return failure.Tamper == AuditTamperKind.Missing && verifier.ExpectedSequence is { } missing && Remaining(enumerator).Contains(missing)
                    ? verifier.Reordered()
                    : failure;
            }
        }

        return verifier.Finish();
    }

    /// <summary>Verifies records in stored order, streaming.</summary>
    /// <param name="records">The records, as stored.</param>
    /// <param name="checkpoint">A head kept outside the log, to detect records cut from its end.</param>
    /// <param name="cancellationToken">Cancels the verification.</param>
    /// <returns>The outcome, naming the first tampered or missing record.</returns>
    public static async ValueTask<AuditVerificationResult> VerifyAsync(IAsyncEnumerable<AuditRecord> records, AuditCheckpoint? checkpoint = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var verifier = new ChainVerifier(checkpoint);
        var enumerator = records.GetAsyncEnumerator(cancellationToken);
        await using (enumerator.ConfigureAwait(false))
        {
            while (await enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                if (verifier.Step(enumerator.Current) is not { } failure)
                {
                    continue;
                }

                // A gap may be a record that comes later (reordered) rather than one that is gone (missing).
                if (failure.Tamper == AuditTamperKind.Missing && verifier.ExpectedSequence is { } missing)
                {
                    while (await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        if (enumerator.Current.Sequence == missing)
                        {
                            return verifier.Reordered();
                        }
                    }
                }

                return failure;
            }
        }

        return verifier.Finish();
    }

    private static IEnumerable<long> Remaining(IEnumerator<AuditRecord> enumerator)
    {
        while (enumerator.MoveNext())
        {
            yield return enumerator.Current.Sequence;
        }
    }

    private static string OutcomeText(AuditOutcome outcome) => outcome switch
    {
        // Fixed strings, not enum names: renaming a member must never invalidate stored chains.
        AuditOutcome.Success => "success",
        AuditOutcome.Failure => "failure",
        AuditOutcome.Denied => "denied",
        _ => ((int)outcome).ToString(CultureInfo.InvariantCulture),
    };

    private static AuditVerificationResult Fail(long checkedCount, long sequence, AuditTamperKind kind, string message)
        => new(checkedCount, null, sequence, kind, message);

    private static void Append(IncrementalHash hash, string? value)
    {
        Span<byte> length = stackalloc byte[5];
        if (value is null)
        {
            // A distinct marker, so null and "" hash differently.
            length[0] = 0;
            BinaryPrimitives.WriteInt32BigEndian(length[1..], 0);
            hash.AppendData(length);
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        length[0] = 1;
        BinaryPrimitives.WriteInt32BigEndian(length[1..], bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }

    /// <summary>Checks records one at a time, in stored order.</summary>
    private sealed class ChainVerifier(AuditCheckpoint? checkpoint)
    {
        private long _expected = 1;
        private string _previousHash = GenesisHash;
        private long _checked;
        private long _stoppedAt;

        public long? ExpectedSequence => _stoppedAt == 0 ? null : _expected;

        public AuditVerificationResult? Step(AuditRecord record)
        {
            if (record.Sequence != _expected)
            {
                _stoppedAt = record.Sequence;
                if (record.Sequence == _expected - 1 && string.Equals(record.Hash, _previousHash, StringComparison.Ordinal))
                {
                    return Fail(_checked, record.Sequence, AuditTamperKind.Duplicated, $"Audit record {record.Sequence} appears twice.");
                }

                return record.Sequence < _expected
                    ? Fail(_checked, _expected, AuditTamperKind.Reordered, $"Audit records are out of order at position {_expected}: record {record.Sequence} stands there.")
                    : Fail(_checked, _expected, AuditTamperKind.Missing, $"Audit record {_expected} is missing: the log jumps to {record.Sequence}.");
            }

            if (!string.Equals(record.PreviousHash, _previousHash, StringComparison.Ordinal))
            {
                return Fail(_checked, record.Sequence, AuditTamperKind.BrokenLink, $"Audit record {record.Sequence} does not link to record {record.Sequence - 1}: one of them was replaced or rewritten.");
            }

            if (!string.Equals(ComputeHash(record.Sequence, record.PreviousHash, record.Event), record.Hash, StringComparison.Ordinal))
            {
                return Fail(_checked, record.Sequence, AuditTamperKind.Modified, $"Audit record {record.Sequence} was modified: its content no longer matches its hash.");
            }

            if (checkpoint is { } known && record.Sequence == known.Sequence && !string.Equals(record.Hash, known.Hash, StringComparison.Ordinal))
            {
                return Fail(_checked, record.Sequence, AuditTamperKind.Modified, $"Audit record {record.Sequence} differs from the checkpoint taken of it: the chain was rewritten up to there.");
            }

            _previousHash = record.Hash;
            _checked++;
            _expected++;
            return null;
        }

        public AuditVerificationResult Reordered()
            => Fail(_checked, _expected, AuditTamperKind.Reordered, $"Audit records are out of order at position {_expected}: record {_stoppedAt} stands there.");

        public AuditVerificationResult Finish()
        {
            if (checkpoint is { } head && _checked < head.Sequence)
            {
                return Fail(_checked, _checked + 1, AuditTamperKind.Missing, $"The audit log ends at record {_checked}, but a checkpoint saw record {head.Sequence}: records were cut from its end.");
            }

            var newHead = _checked == 0 ? (AuditCheckpoint?)null : new AuditCheckpoint(_checked, _previousHash);
            return new AuditVerificationResult(_checked, newHead, null, null, $"The audit chain of {_checked} record(s) is intact.");
        }
    }
}
