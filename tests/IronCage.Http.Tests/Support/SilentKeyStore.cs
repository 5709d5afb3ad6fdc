using IronCage.Storage;

namespace IronCage.Http.Tests.Support;

/// <summary>
/// A key store whose writes this process does not hear about (it hides the inner store's change feed): stands for a
/// change made by another instance. <see cref="Down"/> makes its reads fail as an unreachable store's do.
/// </summary>
internal sealed class SilentKeyStore(IKeyStore inner) : IKeyStore
{
    public bool Down { get; set; }

    public ValueTask<ManagedKey?> FindAsync(KeyReference key, CancellationToken cancellationToken = default)
        => Down ? throw new IronCageException("The key store is unreachable.") : inner.FindAsync(key, cancellationToken);

    public ValueTask<ManagedKey> GetAsync(KeyReference key, CancellationToken cancellationToken = default) => inner.GetAsync(key, cancellationToken);

    public IAsyncEnumerable<ManagedKey> ListAsync(ProviderId? provider = null, CancellationToken cancellationToken = default) => inner.ListAsync(provider, cancellationToken);

    public ValueTask<ManagedKey> CreateAsync(ManagedKey key, CancellationToken cancellationToken = default) => inner.CreateAsync(key, cancellationToken);

    public ValueTask<ManagedKey> UpdateAsync(ManagedKey key, CancellationToken cancellationToken = default) => inner.UpdateAsync(key, cancellationToken);

    public ValueTask DeleteAsync(KeyReference key, long expectedConcurrencyToken, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, expectedConcurrencyToken, cancellationToken);
}
