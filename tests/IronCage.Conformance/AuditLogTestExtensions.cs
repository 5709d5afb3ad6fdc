using IronCage.Auditing;

namespace IronCage.Conformance;

/// <summary>Adapts an audit log to the callbacks stores take.</summary>
public static class AuditLogTestExtensions
{
    /// <summary>Appends an event and drops the stored record.</summary>
    /// <param name="log">The log.</param>
    /// <param name="auditEvent">The event.</param>
    /// <param name="cancellationToken">Cancels the append.</param>
    /// <returns>A task that completes when the event is appended.</returns>
    public static async ValueTask AppendAsyncIgnoringResult(this IAuditLog log, AuditEvent auditEvent, CancellationToken cancellationToken)
        => await log.AppendAsync(auditEvent, cancellationToken).ConfigureAwait(false);
}
