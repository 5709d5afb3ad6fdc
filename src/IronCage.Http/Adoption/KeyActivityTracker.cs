using System.Collections.Concurrent;
using IronCage.Storage;
using NodaTime;

namespace IronCage.Http;

/// <summary>
/// Counts, per key version, the requests the key handler has in flight and whether the version was used, for the
/// instance heartbeat (<see cref="InstanceHeartbeatPublisher"/>). Registered only by <c>AddInstanceHeartbeat</c>:
/// without it the handler counts nothing.
/// </summary>
internal sealed class KeyActivityTracker
{
    private readonly ConcurrentDictionary<KeyReference, KeyActivity> _keys = new();

    public IEnumerable<KeyActivity> Keys => _keys.Values;

    /// <summary>A request goes out with <paramref name="key"/>.</summary>
    public void Begin(ResolvedKey key)
    {
        var activity = key.Activity ?? Attach(key);
        Interlocked.Increment(ref activity.InFlight);
        if (Volatile.Read(ref activity.Used) == 0)
        {
            Volatile.Write(ref activity.Used, 1);
        }

        if (!ReferenceEquals(activity.Owner.LastUsed, activity))
        {
            activity.Owner.LastUsed = activity;
        }
    }

    /// <summary>The answer to a request that went out with <paramref name="key"/> is in (or the send failed).</summary>
    public static void End(ResolvedKey key)
    {
        if (key.Activity is { } activity)
        {
            Interlocked.Decrement(ref activity.InFlight);
        }
    }

    /// <summary>
    /// What this process does with each key version, at <paramref name="now"/>: <paramref name="serving"/> names the
    /// version it hands out now per key (what the resolver returns). Resets the used flags: a version is reported as
    /// used (its <see cref="KeyVersion.LastUsedAt"/> written) once per heartbeat that saw it used.
    /// </summary>
    public List<ServedKeyVersion> Snapshot(Instant now, IReadOnlyDictionary<KeyReference, string?> serving)
    {
        var versions = new List<ServedKeyVersion>();
        foreach (var key in _keys.Values)
        {
            var servedId = serving.TryGetValue(key.Key, out var resolved) ? resolved : key.LastUsed?.VersionId;
            var servedReported = false;
            foreach (var version in key.Versions.Values)
            {
                var used = Interlocked.Exchange(ref version.Used, 0) == 1;
                var inFlight = Math.Max(0, Interlocked.Read(ref version.InFlight));
                var isServed = string.Equals(version.VersionId, servedId, StringComparison.Ordinal);
                servedReported |= isServed;
                if (isServed || inFlight > 0 || used)
                {
                    versions.Add(new ServedKeyVersion { Key = key.Key, VersionId = version.VersionId, Serving = isServed, InFlight = inFlight, LastUsedAt = used ? now : null });
                }
            }

            if (!servedReported && servedId is not null)
            {
                versions.Add(new ServedKeyVersion { Key = key.Key, VersionId = servedId, Serving = true });
            }
        }

        return versions;
    }

    private KeyVersionActivity Attach(ResolvedKey key)
    {
        var owner = _keys.GetOrAdd(key.Key, static reference => new KeyActivity(reference));
        var activity = owner.Versions.GetOrAdd(key.VersionId, static (versionId, keyActivity) => new KeyVersionActivity(keyActivity, versionId), owner);
        key.Activity = activity;
        return activity;
    }
}
