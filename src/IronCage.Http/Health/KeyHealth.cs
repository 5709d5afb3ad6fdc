using System.Collections.Concurrent;
using IronCage.Http;
using NodaTime;

namespace IronCage.Http;

/// <summary>
/// The default <see cref="IKeyHealth"/>: per-key restrictions and headroom in this process's memory. Restrictions are
/// written rarely (on a provider error) and read on every resolve, so a count of restricted keys lets the hot path
/// read one field while every key is healthy.
/// </summary>
internal sealed class KeyHealth : IKeyHealth
{
    private readonly ConcurrentDictionary<KeyReference, Entry> _entries = new();
    private int _restricted;

    public bool HasRestrictions => Volatile.Read(ref _restricted) != 0;

    public void Restrict(ResolvedKey key, KeyRestriction restriction)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(restriction);
        var entry = EntryOf(key.Key);
        lock (entry)
        {
            if (entry.Restriction is null)
            {
                Interlocked.Increment(ref _restricted);
            }

            entry.Restriction = restriction;
        }
    }

    public KeyRestriction? GetRestriction(KeyReference key, string versionId, Instant now)
    {
        if (!HasRestrictions || !_entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        lock (entry)
        {
            if (entry.Restriction is not { } restriction)
            {
                return null;
            }

            var expired = restriction.Until is { } until && now >= until;
            var otherVersion = restriction.VersionId is { } bound && !string.Equals(bound, versionId, StringComparison.Ordinal);
            if (!expired && !otherVersion)
            {
                return restriction;
            }

            entry.Restriction = null;
            Interlocked.Decrement(ref _restricted);
            return null;
        }
    }

    public void ReportHeadroom(KeyReference key, double remaining)
        => Interlocked.Exchange(ref EntryOf(key).HeadroomBits, BitConverter.DoubleToInt64Bits(Math.Clamp(remaining, 0, 1)));

    public double GetHeadroom(KeyReference key)
        => _entries.TryGetValue(key, out var entry) ? BitConverter.Int64BitsToDouble(Interlocked.Read(ref entry.HeadroomBits)) : 1.0;

    private Entry EntryOf(KeyReference key) => _entries.GetOrAdd(key, static _ => new Entry());

    private sealed class Entry
    {
        public long HeadroomBits = BitConverter.DoubleToInt64Bits(1.0);

        public KeyRestriction? Restriction;
    }
}
