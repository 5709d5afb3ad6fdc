namespace IronCage.Storage;

/// <summary>
/// Tells caches that a managed key changed in the store: the key resolver drops its cached copy, so a promoted,
/// revoked or killed key is seen at once. A store that sees its own writes implements it (the in-memory and SQLite
/// stores: writes of this process); the PostgreSQL store adds a <c>LISTEN/NOTIFY</c> feed that sees every instance's.
/// </summary>
public interface IKeyChangeFeed
{
    /// <summary>Raised after a key was created, updated or deleted. Handlers must be quick and must not throw.</summary>
    event EventHandler<KeyChangedEventArgs>? KeyChanged;

    /// <summary>Raised when changes may have been missed (for example after a lost connection): drop everything cached.</summary>
    event EventHandler? ChangesMissed;
}
