namespace IronCage.Storage;

/// <summary>A managed key changed in its store (see <see cref="IKeyChangeFeed.KeyChanged"/>).</summary>
/// <param name="key">The key that was created, updated (including kills and rotation promotions) or deleted.</param>
public sealed class KeyChangedEventArgs(KeyReference key) : EventArgs
{
    /// <summary>Gets the key that changed. Read it again from the store to see how; a change carries no values.</summary>
    public KeyReference Key { get; } = key;
}
