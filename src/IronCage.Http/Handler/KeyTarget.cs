using IronCage.Http;

namespace IronCage.Http;

/// <summary>What a handler draws keys from: one managed key, or a pool.</summary>
internal sealed class KeyTarget
{
    private KeyTarget(string name, KeyReference? key, string? pool)
    {
        Name = name;
        Key = key;
        Pool = pool;
    }

    public string Name { get; }

    public KeyReference? Key { get; }

    public string? Pool { get; }

    public static KeyTarget ForKey(KeyReference key) => new(key.ToString(), key, null);

    public static KeyTarget ForPool(string pool) => new(pool, null, pool);

    public ValueTask<ResolvedKey> ResolveAsync(IKeyResolver resolver, List<KeyReference>? tried, CancellationToken cancellationToken)
        => Key is { } key ? resolver.ResolveAsync(key, cancellationToken) : resolver.ResolvePoolAsync(Pool!, tried, cancellationToken);
}
