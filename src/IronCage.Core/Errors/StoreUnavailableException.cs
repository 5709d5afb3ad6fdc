namespace IronCage;

/// <summary>
/// A store (key store, audit log, rotation store, usage store) could not be reached or stayed locked: the database
/// server is down or restarting, the network dropped, or another writer held the database for longer than the store
/// waits. Nothing of the failed call was committed unless the store says otherwise, so the call can be retried.
/// </summary>
/// <remarks>
/// Catch it to retry with back-off (a rotation engine defers the step; the usage recorder keeps the batch). The inner
/// exception is the driver's own (for example an <c>NpgsqlException</c> or a <c>SqliteException</c>).
/// </remarks>
public sealed class StoreUnavailableException : IronCageException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="store">The store's database, as a name safe to show (host and database, or file; never a connection string).</param>
    /// <param name="isTransient">Whether the same call may succeed when retried later.</param>
    /// <param name="message">What went wrong and how to fix it; never a secret.</param>
    /// <param name="innerException">The driver's failure.</param>
    public StoreUnavailableException(string store, bool isTransient, string message, Exception? innerException)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        IsTransient = isTransient;
    }

    /// <summary>Gets the store's database, as a name safe to show (host and database, or file).</summary>
    public string Store { get; }

    /// <summary>Gets a value indicating whether the same call may succeed when retried later (the server came back, the lock was released).</summary>
    public bool IsTransient { get; }
}
