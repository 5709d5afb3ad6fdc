namespace IronCage.Http;

/// <summary>
/// The counters of one key version in this process: requests in flight and whether it was used since the last
/// heartbeat. One object per version, cached on its <see cref="ResolvedKey"/>, so counting a request is two
/// interlocked operations and no allocation.
/// </summary>
internal sealed class KeyVersionActivity(KeyActivity owner, string versionId)
{
    // Fields, not properties: they are updated with Interlocked/Volatile.
    public long InFlight;
    public int Used;

    public KeyActivity Owner { get; } = owner;

    public string VersionId { get; } = versionId;
}
