using IronCage.Http;

namespace IronCage.Http;

/// <summary>What the resolver knows about one managed key: the cached snapshot and how often this process handed it out.</summary>
internal sealed class KeyState(KeyReference key)
{
    private readonly object _gate = new();
    private Task<KeySnapshot>? _loading;
    private long _useMinute;
    private long _uses;

    public KeyReference Key { get; } = key;

    /// <summary>Gets or sets the cached snapshot; <see langword="null"/> when the next resolve must read the store.</summary>
    public volatile KeySnapshot? Snapshot;

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
