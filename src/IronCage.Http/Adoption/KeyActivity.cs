using System.Collections.Concurrent;

namespace IronCage.Http;

/// <summary>The versions of one managed key this process sent requests with, and the one it used last.</summary>
internal sealed class KeyActivity(KeyReference key)
{
    private volatile KeyVersionActivity? _lastUsed;

    public KeyReference Key { get; } = key;

    public ConcurrentDictionary<string, KeyVersionActivity> Versions { get; } = new(StringComparer.Ordinal);

    public KeyVersionActivity? LastUsed
    {
        get => _lastUsed;
        set => _lastUsed = value;
    }
}
