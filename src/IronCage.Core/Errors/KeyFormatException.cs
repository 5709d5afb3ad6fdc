using IronCage.Providers;

namespace IronCage;

/// <summary>
/// A key value was refused on input: empty, a placeholder, the wrong shape, an admin key used for inference, or
/// another provider's key. The message names the provider and the expected shape and never echoes the value.
/// </summary>
public sealed class KeyFormatException : IronCageException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="result">The failed validation.</param>
    public KeyFormatException(KeyValidationResult result)
        : base((result ?? throw new ArgumentNullException(nameof(result))).Message)
    {
        if (result.Error is not { } error)
        {
            throw new ArgumentException("A KeyFormatException needs a failed validation result.", nameof(result));
        }

        Provider = result.Provider;
        Kind = result.Kind;
        Error = error;
        ExpectedShape = result.ExpectedShape;
        LooksLike = result.LooksLike;
    }

    /// <summary>Gets the provider the key was given for.</summary>
    public ProviderId Provider { get; }

    /// <summary>Gets the kind of key that was expected.</summary>
    public KeyKind Kind { get; }

    /// <summary>Gets why the value was refused.</summary>
    public KeyFormatError Error { get; }

    /// <summary>Gets the expected shape in words.</summary>
    public string ExpectedShape { get; }

    /// <summary>Gets the provider whose key the value looks like, for <see cref="KeyFormatError.OtherProvidersKey"/>.</summary>
    public ProviderId? LooksLike { get; }
}
