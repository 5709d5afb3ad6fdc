using System.Collections.Concurrent;
using NodaTime;

namespace IronCage.Storage;

/// <summary>
/// The in-process <see cref="IInstanceHeartbeatStore"/>: enough for one host (or several engines in one test
/// process). Given the <see cref="InMemoryKeyStore"/>, it also moves <see cref="KeyVersion.LastUsedAt"/> forward.
/// </summary>
public sealed class InMemoryInstanceHeartbeatStore : IInstanceHeartbeatStore
{
    private readonly ConcurrentDictionary<string, InstanceHeartbeat> _heartbeats = new(StringComparer.Ordinal);
    private readonly InMemoryKeyStore? _keys;

    /// <summary>Creates a store that keeps heartbeats only.</summary>
    public InMemoryInstanceHeartbeatStore()
    {
    }

    /// <summary>Creates a store that also writes <see cref="KeyVersion.LastUsedAt"/> to <paramref name="keys"/>.</summary>
    /// <param name="keys">The in-memory key store the instances serve from.</param>
    public InMemoryInstanceHeartbeatStore(InMemoryKeyStore keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = keys;
    }

    /// <inheritdoc />
    public ValueTask WriteAsync(InstanceHeartbeat heartbeat, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        ArgumentException.ThrowIfNullOrWhiteSpace(heartbeat.InstanceId);
        cancellationToken.ThrowIfCancellationRequested();
        _heartbeats[heartbeat.InstanceId] = heartbeat;
        if (_keys is not null)
        {
            foreach (var version in heartbeat.Versions)
            {
                if (version.LastUsedAt is { } used)
                {
                    _keys.MoveLastUsedForward(version.Key, version.VersionId, used);
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<InstanceHeartbeat>> ListAsync(Instant since, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<InstanceHeartbeat> live = [.. _heartbeats.Values.Where(h => h.SentAt >= since).OrderBy(h => h.InstanceId, StringComparer.Ordinal)];
        return ValueTask.FromResult(live);
    }

    /// <inheritdoc />
    public ValueTask RemoveAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instanceId);
        _heartbeats.TryRemove(instanceId, out _);
        return ValueTask.CompletedTask;
    }
}
