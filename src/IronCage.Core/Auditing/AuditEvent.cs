using System.Collections.Frozen;
using NodaTime;
using IronCage.Internal;

namespace IronCage.Auditing;

/// <summary>One audited operation: who did what to which target, when, from where, why, and how it ended. Never a secret.</summary>
public sealed record AuditEvent
{
    /// <summary>Gets who acted: a user, a service, or <c>system</c> for the scheduler.</summary>
    public required string Actor { get; init; }

    /// <summary>Gets what was done.</summary>
    public required AuditAction Action { get; init; }

    /// <summary>Gets what it was done to, usually a managed key reference such as <c>openai/prod</c>.</summary>
    public required string Target { get; init; }

    /// <summary>Gets when it happened.</summary>
    public required Instant Timestamp { get; init; }

    /// <summary>Gets the caller's IP address, if known.</summary>
    public string? IpAddress { get; init; }

    /// <summary>Gets why, as the actor gave it (for example <c>scheduled</c> or <c>suspected leak</c>).</summary>
    public string? Reason { get; init; }

    /// <summary>Gets how it ended.</summary>
    public AuditOutcome Outcome { get; init; } = AuditOutcome.Success;

    /// <summary>Gets further facts (version ids, key hints, provider request ids). Never secret values.</summary>
    public IReadOnlyDictionary<string, string> Details { get; init => field = Frozen.Map(value); } = FrozenDictionary<string, string>.Empty;
}
