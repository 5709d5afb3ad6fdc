using IronCage.Providers;

namespace IronCage;

/// <summary>The outcome of <see cref="KeyFormatValidator.Check"/>.</summary>
public sealed class KeyValidationResult
{
    internal KeyValidationResult(ProviderId provider, KeyKind kind, KeyFormatError? error, string expectedShape, string message, ProviderId? looksLike = null)
    {
        Provider = provider;
        Kind = kind;
        Error = error;
        ExpectedShape = expectedShape;
        Message = message;
        LooksLike = looksLike;
    }

    /// <summary>Gets the provider the key was checked for.</summary>
    public ProviderId Provider { get; }

    /// <summary>Gets the key kind that was expected.</summary>
    public KeyKind Kind { get; }

    /// <summary>Gets a value indicating whether the value passed.</summary>
    public bool IsValid => Error is null;

    /// <summary>Gets why the value was refused, or <see langword="null"/> when it passed.</summary>
    public KeyFormatError? Error { get; }

    /// <summary>Gets the expected shape in words.</summary>
    public string ExpectedShape { get; }

    /// <summary>Gets a sentence saying what is wrong and how to fix it; never the value.</summary>
    public string Message { get; }

    /// <summary>Gets the provider whose key the value looks like, when it is another provider's key.</summary>
    public ProviderId? LooksLike { get; }

    /// <summary>Throws when the value was refused.</summary>
    /// <exception cref="KeyFormatException">The value was refused.</exception>
    public void ThrowIfInvalid()
    {
        if (!IsValid)
        {
            throw new KeyFormatException(this);
        }
    }

    /// <inheritdoc />
    public override string ToString() => Message;
}
