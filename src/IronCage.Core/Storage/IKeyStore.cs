using NodaTime;

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

    /// <summary>
    /// Lists the keys the scheduler must look at <paramref name="now"/>: those whose <see cref="ManagedKey.NextDueAt"/>
    /// is at or before <paramref name="now"/>, or unknown (<see langword="null"/>: rows from before the store kept it),
    /// unknown first, then earliest due, then by reference. Only references are read, so a row that cannot be decoded
    /// is still listed and fails alone when it is read.
    /// </summary>
    /// <param name="now">The current instant.</param>
    /// <param name="limit">The most references to return (at least 1).</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The references, at most <paramref name="limit"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is less than 1.</exception>
    /// <remarks>
    /// The default implementation reads every key with <see cref="ListAsync"/>: a store that persists
    /// <see cref="ManagedKey.NextDueAt"/> overrides it with an indexed query, as the built-in stores do.
    /// </remarks>
    async ValueTask<IReadOnlyList<KeyReference>> ListDueAsync(Instant now, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var due = new List<ManagedKey>();
        await foreach (var key in ListAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (key.NextDueAt is null || key.NextDueAt <= now)
            {
                due.Add(key);
            }
        }

        return [.. due
            .OrderBy(k => k.NextDueAt.HasValue)
            .ThenBy(k => k.NextDueAt ?? Instant.MinValue)
            .ThenBy(k => k.Reference.ToString(), StringComparer.Ordinal)
            .Take(limit)
            .Select(k => k.Reference)];
    }

    /// <summary>
    /// Lists one page of the managed keys that match <paramref name="query"/>'s filters, in reference order, with the
    /// number that match in all: what an operator's list shows, without reading every key.
    /// </summary>
    /// <param name="query">The filters and the page.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    /// <returns>The page and the total.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The page is out of range (see <see cref="KeyListQuery.Validate"/>).</exception>
    /// <remarks>
    /// The default implementation reads every key with <see cref="ListAsync"/>; the built-in SQLite and PostgreSQL stores
    /// override it with one count and one page query, reading only the page's keys. A key on the page whose row was
    /// changed behind the store's back so that it no longer matches is left out (its authenticated state decides).
    /// </remarks>
    async ValueTask<KeyListPage> ListPageAsync(KeyListQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        var page = new List<ManagedKey>(query.Limit);
        var total = 0;
        await foreach (var key in ListAsync(query.Provider, cancellationToken).ConfigureAwait(false))
        {
            if (query.Matches(key))
            {
                if (total >= query.Offset && page.Count < query.Limit)
                {
                    page.Add(key);
                }

                total++;
            }
        }

        return new KeyListPage(page, total);
    }

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
