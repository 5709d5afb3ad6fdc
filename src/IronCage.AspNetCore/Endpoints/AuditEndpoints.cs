using IronCage.Auditing;
using IronCage.AspNetCore.Authorization;
using IronCage.AspNetCore.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IronCage.AspNetCore.Endpoints;

/// <summary><c>/audit</c>: the audit log, filtered and paged by sequence, and its chain verification.</summary>
internal static class AuditEndpoints
{
    private const int MaxTake = 1000;

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/audit", ListAsync).Admin("audit.list", AdminPermissions.AuditRead, "Audit log", "Records from sequence 'from' (default 1), at most 'take' (1–1000, default 100), filtered by action, target, actor or outcome; 'next' continues.").Produces<AuditPage>();
        group.MapPost("/audit/verify", VerifyAsync).Admin("audit.verify", AdminPermissions.AuditRead, "Verify the audit chain", "Recomputes the hash chain; reports the first record that does not match.").Produces<AuditVerifyResponse>();
    }

    private static async Task<IResult> ListAsync(IAuditLog audit, HttpContext http, long? from, int? take, string? action, string? target, string? actor, string? outcome)
    {
        var size = take ?? 100;
        if (size is < 1 or > MaxTake)
        {
            return AdminProblems.Field("take", $"take {size} is out of range.", $"Use 1 to {MaxTake}.");
        }

        AuditOutcome? wanted = null;
        if (outcome is not null)
        {
            if (!Enum.TryParse<AuditOutcome>(outcome, ignoreCase: true, out var parsed))
            {
                return AdminProblems.Field("outcome", $"Unknown outcome '{outcome}'.", "Use success or failure.");
            }

            wanted = parsed;
        }

        var records = new List<AuditRecordView>();
        long? next = null;
        await foreach (var record in audit.ReadAsync(Math.Max(1, from ?? 1), http.RequestAborted).ConfigureAwait(false))
        {
            var e = record.Event;
            if ((action is null || e.Action.Value == action) && (target is null || e.Target == target) && (actor is null || e.Actor == actor) && (wanted is null || e.Outcome == wanted))
            {
                if (records.Count == size)
                {
                    next = record.Sequence;
                    break;
                }

                records.Add(new AuditRecordView(record.Sequence, e.Actor, e.Action.Value, e.Target, e.Timestamp, e.IpAddress, e.Reason, e.Outcome.ToString(), e.Details, record.Hash));
            }
        }

        return Results.Json(new AuditPage(records, next), AdminJson.Options);
    }

    private static async Task<IResult> VerifyAsync(IAuditLog audit, HttpContext http)
    {
        var result = await audit.VerifyAsync(cancellationToken: http.RequestAborted).ConfigureAwait(false);
        return Results.Json(new AuditVerifyResponse(result.IsValid, result.RecordsChecked, result.FirstInvalidSequence, result.Tamper?.ToString(), result.Message, result.Head?.Sequence), AdminJson.Options);
    }
}
