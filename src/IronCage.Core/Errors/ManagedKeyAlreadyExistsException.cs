using IronCage.Storage;

namespace IronCage;

/// <summary>A managed key with the same reference already exists.</summary>
public sealed class ManagedKeyAlreadyExistsException : IronCageException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="key">The reference that is taken.</param>
    public ManagedKeyAlreadyExistsException(KeyReference key)
        : base($"Managed key '{key}' already exists. Update it (IKeyStore.UpdateAsync) or choose another name.")
    {
        Key = key;
    }

    /// <summary>Gets the reference that is taken.</summary>
    public KeyReference Key { get; }
}
