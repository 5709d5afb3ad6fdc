namespace IronCage.Usage;

/// <summary>Usage was appended to the store (see <see cref="IUsageChangeFeed.UsageChanged"/>).</summary>
/// <param name="key">The key whose usage was appended, or <see langword="null"/> when the feed cannot tell (any key may have changed).</param>
public sealed class UsageChangedEventArgs(KeyReference? key) : EventArgs
{
    /// <summary>Gets the args of a change that names no key: any key's usage may have changed.</summary>
    public static UsageChangedEventArgs AnyKey { get; } = new(null);

    /// <summary>Gets the key whose usage was appended, or <see langword="null"/> when any key's may have been. Carries no values: read the store.</summary>
    public KeyReference? Key { get; } = key;
}
