namespace IronCage;

/// <summary>Why a key value was refused on input.</summary>
public enum KeyFormatError
{
    /// <summary>The value is empty or only whitespace.</summary>
    Empty = 0,

    /// <summary>The value has leading, trailing or inner whitespace or control characters (a copied line break, say).</summary>
    Whitespace = 1,

    /// <summary>The value is a placeholder such as <c>your-api-key</c>, <c>&lt;KEY&gt;</c>, <c>${OPENAI_API_KEY}</c> or <c>sk-xxxx</c>.</summary>
    Placeholder = 2,

    /// <summary>The value does not have the provider's key format.</summary>
    WrongFormat = 3,

    /// <summary>An admin or management key was given where an inference key is expected.</summary>
    AdminKeyAsInference = 4,

    /// <summary>An inference key was given where an admin or management key is expected.</summary>
    InferenceKeyAsAdmin = 5,

    /// <summary>The value is another provider's key.</summary>
    OtherProvidersKey = 6,
}
