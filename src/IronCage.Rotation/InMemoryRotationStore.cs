using System.Runtime.CompilerServices;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>An <see cref="IRotationStore"/> in process memory, for tests and single-process demos. Thread-safe.</summary>
public sealed class InMemoryRotationStore : IRotationStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, RotationOperation> _operations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RotationLease> _leases = new(StringComparer.Ordinal);
    private readonly Dictionary<KeyReference, string> _activeByKey = [];
    private long _lastToken;
    private long _lastFence;

    /// <inheritdoc />
    public ValueTask<RotationOperation> CreateAsync(RotationOperation operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_activeByKey.TryGetValue(operation.Key, out var activeId) && _operations[activeId] is { } active)
            {
                throw new RotationConflictException(operation.Key, active.OperationId, active.Step);
            }

            if (_operations.ContainsKey(operation.OperationId))
            {
                throw new ArgumentException($"Operation '{operation.OperationId}' already exists.", nameof(operation));
            }

            var stored = operation with { ConcurrencyToken = ++_lastToken };
            _operations.Add(stored.OperationId, stored);
            Track(stored);
            return ValueTask.FromResult(stored);
        }
    }

    /// <inheritdoc />
    public ValueTask<RotationOperation?> FindAsync(string operationId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operationId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(_operations.GetValueOrDefault(operationId));
        }
    }

    /// <inheritdoc />
    public ValueTask<RotationOperation?> FindActiveAsync(KeyReference key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return ValueTask.FromResult(_activeByKey.TryGetValue(key, out var id) ? _operations[id] : null);
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<RotationOperation> ListActiveAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Stream(_operations.Values.Where(o => !o.IsFinished).OrderBy(o => o.RequestedAt).ThenBy(o => o.ConcurrencyToken).ToList(), cancellationToken);
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<RotationOperation> ListForKeyAsync(KeyReference key, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Stream(_operations.Values.Where(o => o.Key == key).OrderByDescending(o => o.RequestedAt).ThenByDescending(o => o.ConcurrencyToken).ToList(), cancellationToken);
        }
    }

    /// <inheritdoc />
    public ValueTask<RotationOperation> UpdateAsync(RotationOperation operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_operations.TryGetValue(operation.OperationId, out var current) || current.ConcurrencyToken != operation.ConcurrencyToken
                || current.Key != operation.Key || (current.IsFinished && !operation.IsFinished))
            {
                var step = current?.Step ?? operation.Step;
                throw new RotationConflictException(operation.Key, operation.OperationId, step);
            }

            var stored = operation with { ConcurrencyToken = ++_lastToken };
            _operations[stored.OperationId] = stored;
            Track(stored);
            return ValueTask.FromResult(stored);
        }
    }

    /// <inheritdoc />
    public ValueTask<RotationLease?> TryAcquireLeaseAsync(string resource, string owner, Duration duration, Instant now, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(resource);
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            // Not re-entrant: a held lease is refused even to its own owner, so two passes of one host exclude each other too.
            if (_leases.TryGetValue(resource, out var held) && held.ExpiresAt > now)
            {
                return ValueTask.FromResult<RotationLease?>(null);
            }

            var lease = new RotationLease(resource, owner, now + duration, ++_lastFence);
            _leases[resource] = lease;
            return ValueTask.FromResult<RotationLease?>(lease);
        }
    }

    /// <inheritdoc />
    public ValueTask<RotationLease?> RenewLeaseAsync(RotationLease lease, Duration duration, Instant now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_leases.TryGetValue(lease.Resource, out var held) || held.Token != lease.Token)
            {
                return ValueTask.FromResult<RotationLease?>(null);
            }

            var renewed = held with { ExpiresAt = now + duration };
            _leases[lease.Resource] = renewed;
            return ValueTask.FromResult<RotationLease?>(renewed);
        }
    }

    /// <inheritdoc />
    public ValueTask ReleaseLeaseAsync(RotationLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        lock (_gate)
        {
            if (_leases.TryGetValue(lease.Resource, out var held) && held.Token == lease.Token)
            {
                _leases.Remove(lease.Resource);
            }
        }

        return ValueTask.CompletedTask;
    }

    // Keeps the index of each key's unfinished operation in step with the operations.
    private void Track(RotationOperation operation)
    {
        if (operation.IsFinished)
        {
            if (_activeByKey.TryGetValue(operation.Key, out var activeId) && activeId == operation.OperationId)
            {
                _activeByKey.Remove(operation.Key);
            }
        }
        else
        {
            _activeByKey[operation.Key] = operation.OperationId;
        }
    }

    private static async IAsyncEnumerable<RotationOperation> Stream(List<RotationOperation> operations, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var operation in operations)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return operation;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
