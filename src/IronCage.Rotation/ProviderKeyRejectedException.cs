using IronCage.Providers;

namespace IronCage.Rotation;

/// <summary>
/// The provider answered a create (or a regenerate) with a value that is not a key of the managed key's provider and
/// kind: another provider's key, an admin key, a placeholder, a value with a line break. The value is never stored or
/// promoted; the rotation rolls back and removes what the provider created. The message never contains the value.
/// </summary>
public sealed class ProviderKeyRejectedException : IronCageException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="key">The managed key being rotated.</param>
    /// <param name="providerKeyId">The provider-side id of the key the provider created, if it gave one.</param>
    /// <param name="validation">The failed format check of the returned value.</param>
    public ProviderKeyRejectedException(KeyReference key, string? providerKeyId, KeyValidationResult validation)
        : base(MessageOf(key, providerKeyId, validation))
    {
        Key = key;
        ProviderKeyId = providerKeyId;
        Error = validation.Error ?? throw new ArgumentException("A ProviderKeyRejectedException needs a failed validation result.", nameof(validation));
        Kind = validation.Kind;
        LooksLike = validation.LooksLike;
    }

    /// <summary>Gets the managed key being rotated.</summary>
    public KeyReference Key { get; }

    /// <summary>Gets the provider-side id of the rejected key, if the provider gave one.</summary>
    public string? ProviderKeyId { get; }

    /// <summary>Gets why the value was refused.</summary>
    public KeyFormatError Error { get; }

    /// <summary>Gets the kind of key that was expected.</summary>
    public KeyKind Kind { get; }

    /// <summary>Gets the provider whose key the value looks like, for <see cref="KeyFormatError.OtherProvidersKey"/>.</summary>
    public ProviderId? LooksLike { get; }

    private static string MessageOf(KeyReference key, string? providerKeyId, KeyValidationResult validation)
    {
        ArgumentNullException.ThrowIfNull(validation);
        return $"The provider answered the create for '{key}' with a value that is not a usable key ({validation.Error}: {validation.Message}); it was not stored or promoted, and the key it created{(providerKeyId is null ? string.Empty : " (" + providerKeyId + ")")} is removed by the rollback. Check the adapter's BaseAddress (a proxy or another provider's endpoint answers differently) and its AdminKey.";
    }
}
