using NodaTime;

namespace IronCage.Storage;

/// <summary>One host instance's report of the key versions it serves (see <see cref="IInstanceHeartbeatStore"/>).</summary>
public sealed record InstanceHeartbeat
{
    /// <summary>Gets the instance's id (unique per running process; a restarted process is a new instance).</summary>
    public required string InstanceId { get; init; }

    /// <summary>Gets when the instance sent it.</summary>
    public required Instant SentAt { get; init; }

    /// <summary>Gets the versions the instance serves, has requests in flight on, or used since its previous heartbeat.</summary>
    /// <value>The default value is empty.</value>
    public IReadOnlyList<ServedKeyVersion> Versions { get; init; } = [];

    /// <summary>Returns a summary (ids and counts only).</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => $"{InstanceId} at {SentAt}: {Versions.Count} versions";
}
