namespace IronCage.Storage;

/// <summary>
/// Stores managed keys and their versions (secrets only encrypted). Every write checks the key's
/// <see cref="ManagedKey.ConcurrencyToken"/>, so two writers never silently overwrite each other.
/// </summary>
public interface IKeyStore
{
    /// <summary>Finds a managed key.</summary>
    /// <param name="key">The key's reference.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The key, or <see langword="null"/> when it does not exist.</returns>
    ValueTask<ManagedKey?> FindAsync(KeyReference key, CancellationToken cancellationToken = default);

    /// <summary>Gets a managed key that must exist.</summary>
    /// <param name="key">The key's reference.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ManagedKeyNotFoundException">The key does not exist.</exception>
    ValueTask<ManagedKey> GetAsync(KeyReference key, CancellationToken cancellationToken = default);

    /// <summary>Lists managed keys, ordered by reference.</summary>
    /// <param name="provider">Only this provider's keys, or every key when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The keys.</returns>
    IAsyncEnumerable<ManagedKey> ListAsync(ProviderId? provider = null, CancellationToken cancellationToken = default);

    /// <summary>Registers a new managed key.</summary>
    /// <param name="key">The key; its concurrency token is ignored.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored key with its first concurrency token.</returns>
    /// <exception cref="ManagedKeyAlreadyExistsException">A key with the same reference exists.</exception>
    /// <exception cref="IronCageException">The key breaks an invariant (see <see cref="ManagedKey.Validate"/>).</exception>
    ValueTask<ManagedKey> CreateAsync(ManagedKey key, CancellationToken cancellationToken = default);

    /// <summary>Replaces a managed key (and its versions) if nobody changed it since it was read.</summary>
    /// <param name="key">The changed key, carrying the concurrency token it was read with.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The stored key with its new concurrency token.</returns>
    /// <exception cref="ConcurrencyConflictException">The stored key's token differs (someone else changed it), or it was deleted.</exception>
    /// <exception cref="IronCageException">The key breaks an invariant (see <see cref="ManagedKey.Validate"/>).</exception>
    ValueTask<ManagedKey> UpdateAsync(ManagedKey key, CancellationToken cancellationToken = default);

    /// <summary>Deletes a managed key and its versions if nobody changed it since it was read.</summary>
    /// <param name="key">The key's reference.</param>
    /// <param name="expectedConcurrencyToken">The token it was read with.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>A task that completes when the key is deleted.</returns>
    /// <exception cref="ManagedKeyNotFoundException">The key does not exist.</exception>
    /// <exception cref="ConcurrencyConflictException">The stored key's token differs.</exception>
    ValueTask DeleteAsync(KeyReference key, long expectedConcurrencyToken, CancellationToken cancellationToken = default);
}
