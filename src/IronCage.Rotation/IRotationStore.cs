using NodaTime;

namespace IronCage.Rotation;

/// <summary>Persists rotation operations and the leases that keep two engine instances from working on the same key.</summary>
public interface IRotationStore
{
    /// <summary>Records a new operation.</summary>
    /// <param name="operation">The operation; its concurrency token is ignored.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored operation with its first concurrency token.</returns>
    /// <exception cref="RotationConflictException">The key already has an unfinished operation.</exception>
    ValueTask<RotationOperation> CreateAsync(RotationOperation operation, CancellationToken cancellationToken = default);

    /// <summary>Finds an operation by id.</summary>
    /// <param name="operationId">The id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The operation, or <see langword="null"/>.</returns>
    ValueTask<RotationOperation?> FindAsync(string operationId, CancellationToken cancellationToken = default);

    /// <summary>Finds a key's unfinished operation.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The operation, or <see langword="null"/> when none is under way.</returns>
    ValueTask<RotationOperation?> FindActiveAsync(KeyReference key, CancellationToken cancellationToken = default);

    /// <summary>Lists unfinished operations, oldest first.</summary>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The operations.</returns>
    IAsyncEnumerable<RotationOperation> ListActiveAsync(CancellationToken cancellationToken = default);

    /// <summary>Lists a key's operations, newest first.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The operations.</returns>
    IAsyncEnumerable<RotationOperation> ListForKeyAsync(KeyReference key, CancellationToken cancellationToken = default);

    /// <summary>Replaces an operation if nobody changed it since it was read.</summary>
    /// <param name="operation">The changed operation, carrying the token it was read with.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored operation with its new token.</returns>
    /// <exception cref="RotationConflictException">The stored operation's token differs: another engine moved it on.</exception>
    ValueTask<RotationOperation> UpdateAsync(RotationOperation operation, CancellationToken cancellationToken = default);

    /// <summary>Claims a resource for <paramref name="owner"/> if it is free or its lease expired.</summary>
    /// <param name="resource">The resource (a key reference).</param>
    /// <param name="owner">The claimant.</param>
    /// <param name="duration">How long the claim lasts unless renewed.</param>
    /// <param name="now">The current instant.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The lease, or <see langword="null"/> when someone else holds an unexpired one.</returns>
    ValueTask<RotationLease?> TryAcquireLeaseAsync(string resource, string owner, Duration duration, Instant now, CancellationToken cancellationToken = default);

    /// <summary>Extends a lease that is still held.</summary>
    /// <param name="lease">The lease.</param>
    /// <param name="duration">The new duration from <paramref name="now"/>.</param>
    /// <param name="now">The current instant.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The renewed lease, or <see langword="null"/> when it was lost (expired and taken).</returns>
    ValueTask<RotationLease?> RenewLeaseAsync(RotationLease lease, Duration duration, Instant now, CancellationToken cancellationToken = default);

    /// <summary>Releases a lease (does nothing if it was lost).</summary>
    /// <param name="lease">The lease.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when released.</returns>
    ValueTask ReleaseLeaseAsync(RotationLease lease, CancellationToken cancellationToken = default);
}
