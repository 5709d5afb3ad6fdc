using IronCage.Storage;

namespace IronCage;

/// <summary>No managed key with the given reference exists in the store.</summary>
public sealed class ManagedKeyNotFoundException : IronCageException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="key">The reference that was not found.</param>
    public ManagedKeyNotFoundException(KeyReference key)
        : base($"Managed key '{key}' does not exist. Register it first (IKeyStore.CreateAsync) or check the provider/name spelling.")
    {
        Key = key;
    }

    /// <summary>Gets the reference that was not found.</summary>
    public KeyReference Key { get; }
}
