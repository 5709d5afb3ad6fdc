using IronCage.Internal;
using IronCage.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronCage.Auditing;

/// <summary>An <see cref="IAuditLog"/> in process memory, for tests and demos. Thread-safe.</summary>
public sealed class InMemoryAuditLog : IAuditLog
{
    private readonly List<AuditRecord> _records = [];
    private readonly object _gate = new();

    /// <summary>Creates an empty log.</summary>
    public InMemoryAuditLog()
        : this(NullLogger<InMemoryAuditLog>.Instance)
    {
    }

    /// <summary>Creates an empty log and warns that it does not persist.</summary>
    /// <param name="logger">The logger.</param>
    public InMemoryAuditLog(ILogger<InMemoryAuditLog> logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        Log.InMemoryAuditLogInUse(logger);
    }

    /// <inheritdoc />
    public ValueTask<AuditRecord> AppendAsync(AuditEvent auditEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(auditEvent);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var record = AuditChain.Next(_records.Count == 0 ? null : _records[^1], auditEvent);
            _records.Add(record);
            return ValueTask.FromResult(record);
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<AuditRecord> ReadAsync(long fromSequence = 1, CancellationToken cancellationToken = default)
    {
        AuditRecord[] snapshot;
        lock (_gate)
        {
            snapshot = [.. _records];
        }

        return snapshot.Where(r => r.Sequence >= fromSequence).ToAsyncEnumerable(cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<AuditVerificationResult> VerifyAsync(AuditCheckpoint? checkpoint = null, CancellationToken cancellationToken = default)
        => AuditChain.VerifyAsync(ReadAsync(1, cancellationToken), checkpoint, cancellationToken);
}
