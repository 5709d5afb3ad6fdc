using IronCage.AspNetCore.Internal;
using IronCage.Rotation;
using Microsoft.AspNetCore.Http;

namespace IronCage.AspNetCore.Endpoints;

/// <summary>
/// The <c>reason</c> and <c>revokeFirst</c> query values of <c>PUT .../rotate</c>, read by one strict rule for both the
/// MFA step-up decision and the handler: a reason by name only (any case; no number, no padding), a flag only as
/// <c>true</c> or <c>false</c>, each at most once. Whatever the handler would run as an emergency is what asks for MFA.
/// </summary>
internal static class RotateQuery
{
    private static readonly string[] Reasons = [nameof(RotationReason.Manual), nameof(RotationReason.Scheduled), nameof(RotationReason.Compromised)];

    /// <summary>Reads both values; a Problem Details naming the field when one cannot be read.</summary>
    public static IResult? Read(IQueryCollection query, out RotationReason reason, out bool revokeFirst)
    {
        reason = RotationReason.Manual;
        revokeFirst = false;
        if (!TryReason(query["reason"], out reason))
        {
            return AdminProblems.Field("reason", $"Unknown reason '{query["reason"]}'.", "Give reason once: manual, scheduled or compromised.");
        }

        if (!TryFlag(query["revokeFirst"], out revokeFirst))
        {
            return AdminProblems.Field("revokeFirst", $"revokeFirst '{query["revokeFirst"]}' is not true or false.", "Give revokeFirst=true (with reason=compromised) or leave it out.");
        }

        return revokeFirst && reason != RotationReason.Compromised
            ? AdminProblems.Field("revokeFirst", "revokeFirst stops service until the new key is in place.", "Use it only with reason=compromised.")
            : null;
    }

    /// <summary>Whether the request asks for an emergency rotation (needs MFA). A value that cannot be read is refused by the handler before anything runs.</summary>
    public static bool IsEmergency(HttpContext http)
        => Read(http.Request.Query, out var reason, out var revokeFirst) is null && (reason == RotationReason.Compromised || revokeFirst);

    private static bool TryReason(Microsoft.Extensions.Primitives.StringValues values, out RotationReason reason)
    {
        reason = RotationReason.Manual;
        if (values.Count == 0)
        {
            return true;
        }

        var text = values.Count == 1 ? values[0] : null;
        var name = Array.Find(Reasons, r => string.Equals(r, text, StringComparison.OrdinalIgnoreCase));
        return name is not null && Enum.TryParse(name, out reason);
    }

    private static bool TryFlag(Microsoft.Extensions.Primitives.StringValues values, out bool flag)
    {
        flag = false;
        if (values.Count == 0)
        {
            return true;
        }

        if (values.Count != 1)
        {
            return false;
        }

        flag = string.Equals(values[0], "true", StringComparison.OrdinalIgnoreCase);
        return flag || string.Equals(values[0], "false", StringComparison.OrdinalIgnoreCase);
    }
}
