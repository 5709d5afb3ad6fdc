using IronCage.Storage;

namespace IronCage.Http;

/// <summary>
/// Hands out the current usable key of a managed key or a key pool, from an in-memory cache that rotations, kill
/// switches and the store's change feed invalidate. A cache hit allocates nothing.
/// </summary>
public interface IKeyResolver
{
    /// <summary>Raised after the resolver dropped its cached copy of a key (it changed in the store, or was invalidated), so holders of a key can fetch the new one.</summary>
    event EventHandler<KeyChangedEventArgs>? KeyChanged;

    /// <summary>Gets the current usable key of a managed key.</summary>
    /// <param name="key">The managed key, for example <c>openai/prod</c>.</param>
    /// <param name="cancellationToken">Cancels a store read on a cache miss.</param>
    /// <returns>The key with its secret and the provider's auth scheme.</returns>
    /// <exception cref="NoUsableKeyException">The key is missing, has no current version, is killed, expired, cooling down, disabled or over a hard limit; the exception says which.</exception>
    ValueTask<ResolvedKey> ResolveAsync(KeyReference key, CancellationToken cancellationToken = default);

    /// <summary>Gets a usable key of a pool, chosen by the pool's strategy.</summary>
    /// <param name="pool">The pool's name, as registered with <c>AddKeyPool</c>.</param>
    /// <param name="exclude">Keys not to choose (for example those a request already tried), or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels store reads on cache misses.</param>
    /// <returns>The chosen key.</returns>
    /// <exception cref="NoUsableKeyException">No key of the pool is usable; the exception names why each was skipped.</exception>
    /// <exception cref="ArgumentException">No pool of that name is registered.</exception>
    ValueTask<ResolvedKey> ResolvePoolAsync(string pool, IReadOnlyCollection<KeyReference>? exclude = null, CancellationToken cancellationToken = default);

    /// <summary>Drops the cached copy of a key; the next resolve reads the store.</summary>
    /// <param name="key">The managed key.</param>
    void Invalidate(KeyReference key);
}
