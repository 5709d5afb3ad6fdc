using IronCage.Storage;

namespace IronCage.Rotation;

/// <summary>
/// Applies one of the pure <see cref="ManagedKeyTransitions"/> to a stored key, re-reading it when another writer got
/// there first (usage, a kill switch). A transition that returns the key unchanged writes nothing.
/// </summary>
internal sealed class ManagedKeyWriter
{
    private const int StoreConflictRetries = 5;

    private readonly IKeyStore _keys;

    public ManagedKeyWriter(IKeyStore keys) => _keys = keys;

    public ValueTask<ManagedKey> GetAsync(KeyReference key, CancellationToken cancellationToken) => _keys.GetAsync(key, cancellationToken);

    public ValueTask<ManagedKey?> FindAsync(KeyReference key, CancellationToken cancellationToken) => _keys.FindAsync(key, cancellationToken);

    public ValueTask<ManagedKey> CreateAsync(ManagedKey key, CancellationToken cancellationToken) => _keys.CreateAsync(key, cancellationToken);

    /// <summary>Applies <paramref name="transition"/>; returns the stored key and whether it changed.</summary>
    public Task<(ManagedKey Key, bool Changed)> UpdateAsync(KeyReference key, Func<ManagedKey, ManagedKey> transition, CancellationToken cancellationToken) => UpdateAsync(key, transition, null, cancellationToken);

    /// <summary>Applies <paramref name="transition"/>, first to <paramref name="known"/> when given; returns the stored key and whether it changed.</summary>
    public async Task<(ManagedKey Key, bool Changed)> UpdateAsync(KeyReference key, Func<ManagedKey, ManagedKey> transition, ManagedKey? known, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var managed = known ?? await _keys.GetAsync(key, cancellationToken).ConfigureAwait(false);
            known = null;
            var updated = transition(managed);
            if (ReferenceEquals(updated, managed))
            {
                return (managed, false);
            }

            try
            {
                return (await _keys.UpdateAsync(updated, cancellationToken).ConfigureAwait(false), true);
            }
            catch (ConcurrencyConflictException) when (attempt < StoreConflictRetries)
            {
                // Someone else changed the key: read again and re-apply.
            }
        }
    }
}
