using IronCage.Auditing;
using NodaTime;

namespace IronCage.AspNetCore.Authorization;

/// <summary>
/// Writes one audit record per attempt on the operator surface, allowed (<see cref="AuditAction.AccessGranted"/>) or
/// refused (<see cref="AuditAction.AccessDenied"/>): actor, client address, operation, permission, outcome, reason and
/// the HTTP status answered. The operation itself (a rotation, a revocation) writes its own records as well.
/// </summary>
public sealed class IronCageAccessAuditor
{
    private readonly IAuditLog _audit;
    private readonly IClock _clock;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="audit">The audit log.</param>
    /// <param name="clock">The clock.</param>
    public IronCageAccessAuditor(IAuditLog audit, IClock clock)
    {
        _audit = audit;
        _clock = clock;
    }

    /// <summary>Records one attempt.</summary>
    /// <param name="operation">What was asked.</param>
    /// <param name="decision">The access decision.</param>
    /// <param name="target">The key or resource (for example <c>openai/prod</c>), or the operation's route.</param>
    /// <param name="statusCode">The HTTP status answered.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>The record written.</returns>
    public async Task<AuditRecord> RecordAsync(AdminOperation operation, AdminAccessDecision decision, string target, int statusCode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(decision);
        var succeeded = decision.Allowed && statusCode < 400;
        return await _audit.AppendAsync(new AuditEvent
        {
            Actor = decision.Actor,
            Action = decision.Allowed ? AuditAction.AccessGranted : AuditAction.AccessDenied,
            Target = target,
            Timestamp = _clock.GetCurrentInstant(),
            IpAddress = decision.IpAddress,
            Reason = decision.Reason,
            Outcome = succeeded ? AuditOutcome.Success : AuditOutcome.Failure,
            Details = new Dictionary<string, string>
            {
                ["operation"] = operation.Name,
                ["permission"] = operation.Permission,
                ["status"] = statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        }, cancellationToken).ConfigureAwait(false);
    }
}
