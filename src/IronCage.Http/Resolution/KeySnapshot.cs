using IronCage.Http;

namespace IronCage.Http;

/// <summary>One read of a key from the store: either a usable key or why it is not usable.</summary>
internal sealed class KeySnapshot
{
    public KeySnapshot(ResolvedKey key, bool hasHardLimits, long refreshAtTick)
    {
        Key = key;
        HasHardLimits = hasHardLimits;
        RefreshAtTick = refreshAtTick;
        NeedsChecks = hasHardLimits || key.ExpiresAt.HasValue;
    }

    public KeySnapshot(KeySkip unusable, long refreshAtTick)
    {
        Unusable = unusable;
        RefreshAtTick = refreshAtTick;
        NeedsChecks = true;
    }

    public ResolvedKey? Key { get; }

    public KeySkip? Unusable { get; }

    public bool HasHardLimits { get; }

    /// <summary>Gets a value indicating whether serving the key needs the clock (expiry, hard limits) rather than only the cache.</summary>
    public bool NeedsChecks { get; }

    public long RefreshAtTick { get; }
}
