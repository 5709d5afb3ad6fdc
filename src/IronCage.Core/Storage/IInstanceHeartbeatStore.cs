using NodaTime;

namespace IronCage.Storage;

/// <summary>
/// Where host instances report, as heartbeats, which key versions they serve and how many requests are in flight on
/// each, so a rotation can revoke an old key only after every live instance moved off it (adoption-confirmed
/// revocation, <c>RotationOptions.WaitForAdoption</c>). Every instance that shares the key store shares this store.
/// </summary>
/// <remarks>
/// The in-memory default (<see cref="InMemoryInstanceHeartbeatStore"/>) serves one process; the SQLite and PostgreSQL
/// packages keep heartbeats in their database, next to the keys. Heartbeats carry key references, version ids and
/// counters only, never a secret.
/// </remarks>
public interface IInstanceHeartbeatStore
{
    /// <summary>
    /// Records <paramref name="heartbeat"/> in place of the instance's previous one, and moves the
    /// <see cref="KeyVersion.LastUsedAt"/> of every version it reports as used forward to that instant (never back).
    /// </summary>
    /// <param name="heartbeat">The heartbeat.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the heartbeat is stored.</returns>
    /// <remarks>
    /// Writing <see cref="KeyVersion.LastUsedAt"/> changes neither the key's concurrency token nor its state seal, and
    /// announces no key change (caches keep their copy). A store may drop heartbeats older than a day as it writes.
    /// </remarks>
    ValueTask WriteAsync(InstanceHeartbeat heartbeat, CancellationToken cancellationToken = default);

    /// <summary>Lists the latest heartbeat of every instance that sent one at or after <paramref name="since"/>.</summary>
    /// <param name="since">The oldest heartbeat to return.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>One heartbeat per instance, by instance id.</returns>
    ValueTask<IReadOnlyList<InstanceHeartbeat>> ListAsync(Instant since, CancellationToken cancellationToken = default);

    /// <summary>Removes an instance's heartbeat: it said goodbye (a graceful shutdown), so nothing waits for it.</summary>
    /// <param name="instanceId">The instance id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the heartbeat is gone (also when there was none).</returns>
    ValueTask RemoveAsync(string instanceId, CancellationToken cancellationToken = default);
}
