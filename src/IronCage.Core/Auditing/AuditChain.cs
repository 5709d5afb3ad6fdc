using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Runtime.CompilerServices;
using System.Text;
using NodaTime;

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
        Append(hash, TimestampText(auditEvent.Timestamp));
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
        var verifier = new AuditChainVerifier(checkpoint, storedHead: null);
        using var enumerator = records.GetEnumerator();
        while (enumerator.MoveNext())
        {
            if (verifier.Step(AuditRow.Of(enumerator.Current)) is { } failure)
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
    public static ValueTask<AuditVerificationResult> VerifyAsync(IAsyncEnumerable<AuditRecord> records, AuditCheckpoint? checkpoint = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        return VerifyRowsAsync(Rows(records, cancellationToken), storedHead: null, checkpoint, cancellationToken);
    }

    /// <summary>
    /// Verifies rows as a store read them: a row whose event could not be read is reported as
    /// <see cref="AuditTamperKind.Unreadable"/>, and the head the store keeps next to the records (when it keeps one)
    /// must agree with the last record.
    /// </summary>
    internal static async ValueTask<AuditVerificationResult> VerifyRowsAsync(IAsyncEnumerable<AuditRow> rows, AuditCheckpoint? storedHead, AuditCheckpoint? checkpoint, CancellationToken cancellationToken)
    {
        var verifier = new AuditChainVerifier(checkpoint, storedHead);
        var enumerator = rows.GetAsyncEnumerator(cancellationToken);
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

    /// <summary>
    /// The timestamp as hashed: unix ticks, followed by the nanoseconds below a tick when there are any, so every
    /// nanosecond a store keeps is covered by the hash (chains of tick-precise timestamps hash as they always did).
    /// </summary>
    internal static string TimestampText(Instant timestamp)
    {
        var ticks = timestamp.ToUnixTimeTicks();
        var belowTick = (timestamp - Instant.FromUnixTimeTicks(ticks)).ToInt64Nanoseconds();
        return belowTick == 0
            ? ticks.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{ticks}+{belowTick}ns");
    }

    private static async IAsyncEnumerable<AuditRow> Rows(IAsyncEnumerable<AuditRecord> records, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var record in records.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return AuditRow.Of(record);
        }
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
}
