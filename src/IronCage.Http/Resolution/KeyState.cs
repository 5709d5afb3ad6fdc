using System.Threading.RateLimiting;
using NodaTime;

namespace IronCage.Internal;

/// <summary>What the resolver knows about one managed key: the cached snapshot, and its health in this process.</summary>
internal sealed class KeyState(KeyReference key)
{
    private readonly object _gate = new();
    private Task<KeySnapshot>? _loading;

    // Health: written rarely (on a provider error), read on every resolve. HealthVersion is 0 while the key is
    // healthy, so the hot path reads one int instead of the fields below.
    private volatile int _restricted;
    private KeyRestriction? _restriction;
    private long _headroomBits = BitConverter.DoubleToInt64Bits(1.0);
    private long _useMinute;
    private long _uses;

    public KeyReference Key { get; } = key;

    /// <summary>Gets or sets the cached snapshot; <see langword="null"/> when the next resolve must read the store.</summary>
    public volatile KeySnapshot? Snapshot;

    public RateLimiter? RequestLimiter { get; set; }

    public RateLimiter? TokenLimiter { get; set; }

    public bool IsRestricted => _restricted != 0;

    public double Headroom
    {
        get => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _headroomBits));
        set => Interlocked.Exchange(ref _headroomBits, BitConverter.DoubleToInt64Bits(value));
    }

    public long UsesThisMinute => Interlocked.Read(ref _useMinute) == CurrentMinute() ? Interlocked.Read(ref _uses) : 0;

    public void CountUse()
    {
        var minute = CurrentMinute();
        if (Interlocked.Exchange(ref _useMinute, minute) != minute)
        {
            Interlocked.Exchange(ref _uses, 0);
        }

        Interlocked.Increment(ref _uses);
    }

    public void Restrict(KeyRestriction restriction)
    {
        lock (_gate)
        {
            _restriction = restriction;
            _restricted = 1;
        }
    }

    public void ClearRestriction()
    {
        lock (_gate)
        {
            _restriction = null;
            _restricted = 0;
        }
    }

    /// <summary>Gets the restriction in force for <paramref name="versionId"/> at <paramref name="now"/>, clearing one that has run out.</summary>
    public KeyRestriction? RestrictionAt(Instant now, string versionId)
    {
        lock (_gate)
        {
            if (_restriction is not { } restriction)
            {
                return null;
            }

            var expired = restriction.Until is { } until && now >= until;
            var otherVersion = restriction.VersionId is { } bound && !string.Equals(bound, versionId, StringComparison.Ordinal);
            if (expired || otherVersion)
            {
                _restriction = null;
                _restricted = 0;
                return null;
            }

            return restriction;
        }
    }

    /// <summary>Starts (or joins) one read of the store for this key.</summary>
    public Task<KeySnapshot> LoadOnce(Func<KeyState, Task<KeySnapshot>> load)
    {
        lock (_gate)
        {
            if (_loading is { IsCompleted: false } running)
            {
                return running;
            }

            var task = load(this);
            _loading = task;
            return task;
        }
    }

    private static long CurrentMinute() => Environment.TickCount64 / 60_000;
}

/// <summary>A reason this process does not use a key for a while: a cool-down after 429, a disable after 401/403 or an exhausted quota.</summary>
/// <param name="Reason">Why.</param>
/// <param name="Detail">What the provider said (no secret).</param>
/// <param name="Until">When it ends; <see langword="null"/> for "until the key changes".</param>
/// <param name="VersionId">The version it applies to; a new version lifts it. <see langword="null"/> for any version.</param>
internal sealed record KeyRestriction(KeySkipReason Reason, string Detail, Instant? Until, string? VersionId);

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
