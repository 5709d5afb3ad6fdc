namespace IronCage.AspNetCore.Authorization;

/// <summary>What <see cref="IronCageAccessEvaluator"/> decided for one request.</summary>
public sealed record AdminAccessDecision
{
    /// <summary>Gets a value indicating whether the request may go on.</summary>
    public required bool Allowed { get; init; }

    /// <summary>Gets the HTTP status a refusal answers with (401, 403 or 429); 200 when allowed.</summary>
    public required int StatusCode { get; init; }

    /// <summary>Gets who asked: the user's name, <c>sub</c> or name identifier; <c>local</c> for loopback access with no policy configured; <c>anonymous</c>.</summary>
    public required string Actor { get; init; }

    /// <summary>Gets the client's address, from <c>HttpContext.Connection.RemoteIpAddress</c> only.</summary>
    public string? IpAddress { get; init; }

    /// <summary>Gets why (for the audit record and the Problem Details), never a secret.</summary>
    public required string Reason { get; init; }

    /// <summary>Gets how to get access, for a refusal.</summary>
    public string? Fix { get; init; }

    /// <summary>Gets a value indicating whether access rests on the secure default (no policy configured, loopback caller).</summary>
    public bool IsLoopbackDefault { get; init; }
}
