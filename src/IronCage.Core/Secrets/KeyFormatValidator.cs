using IronCage.Providers;

namespace IronCage;

/// <summary>
/// Checks key values on input against their provider's documented formats: empty values, whitespace, placeholders,
/// wrong shapes, admin keys given for inference, and other providers' keys are refused with a message that names
/// the provider and the expected shape and never echoes the value.
/// </summary>
public sealed class KeyFormatValidator
{
    private const int MinUnknownFormatLength = 16;
    private const int MaxKeyLength = 1024;

    private static readonly string[] PlaceholderWords =
    [
        "your-api-key", "your_api_key", "yourapikey", "your-key", "your_key", "yourkey", "your-token", "your_token",
        "api-key-here", "api_key_here", "key-here", "key_here", "changeme", "change-me", "change_me", "replaceme", "replace-me", "replace_me",
        "placeholder", "insert-", "insert_", "xxxxxxxx", "example", "dummy", "redacted", "notakey", "not-a-key", "fake-key", "fake_key",
    ];

    private static readonly string[] PlaceholderValues = ["null", "none", "undefined", "nil", "key", "apikey", "api_key", "api-key", "secret", "token", "password", "test", "todo", "tbd"];

    private readonly IProviderCatalog _catalog;

    /// <summary>Creates a validator over a catalog.</summary>
    /// <param name="catalog">The provider catalog.</param>
    public KeyFormatValidator(IProviderCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _catalog = catalog;
    }

    /// <summary>Gets a validator over the built-in catalog.</summary>
    public static KeyFormatValidator BuiltIn { get; } = new(ProviderCatalog.BuiltIn);

    /// <summary>Checks a key value.</summary>
    /// <param name="provider">The provider the key is for.</param>
    /// <param name="key">The value.</param>
    /// <param name="kind">The kind of key expected.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="UnknownProviderException">The provider is not in the catalog.</exception>
    public KeyValidationResult Check(ProviderId provider, SecretValue key, KeyKind kind = KeyKind.Inference)
    {
        ArgumentNullException.ThrowIfNull(key);
        var descriptor = _catalog.GetDescriptor(provider);
        return key.UseChars((Validator: this, Descriptor: descriptor, Kind: kind), static (chars, s) => s.Validator.CheckCore(s.Descriptor, chars, s.Kind));
    }

    /// <summary>Checks a key value and throws when it is refused.</summary>
    /// <param name="provider">The provider the key is for.</param>
    /// <param name="key">The value.</param>
    /// <param name="kind">The kind of key expected.</param>
    /// <exception cref="KeyFormatException">The value was refused; the message says why and how to fix it.</exception>
    public void Validate(ProviderId provider, SecretValue key, KeyKind kind = KeyKind.Inference) => Check(provider, key, kind).ThrowIfInvalid();

    private static string Article(string noun) => ("AEIOUaeiou".Contains(noun[0], StringComparison.Ordinal) ? "an " : "a ") + noun;

    private static string Describe(KeyKind kind) => kind == KeyKind.Admin ? "admin key" : "API key";

    private static bool AnyMatch(IEnumerable<KeyFormat> formats, ReadOnlySpan<char> value)
    {
        foreach (var format in formats)
        {
            if (format.IsMatch(value))
            {
                return true;
            }
        }

        return false;
    }

    // Placeholders no real key can be: wrapped in template markers, elided, a bare word, or (after the provider's
    // prefix) made of four or fewer distinct characters (sk-xxxx…, 0000…).
    private static bool IsObviousPlaceholder(ReadOnlySpan<char> value, string? prefix)
    {
        var first = value[0];
        var last = value[^1];
        if ((first == '<' && last == '>') || (first == '[' && last == ']') || value.StartsWith("${") || value.StartsWith("{{") || value.StartsWith("$(")
            || (first == '%' && last == '%') || value.Contains("...", StringComparison.Ordinal) || value.Contains('…'))
        {
            return true;
        }

        foreach (var word in PlaceholderValues)
        {
            if (value.Equals(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        var body = prefix is not null && value.StartsWith(prefix, StringComparison.Ordinal) ? value[prefix.Length..] : value;
        if (body.Length == 0)
        {
            return true;
        }

        Span<char> distinct = stackalloc char[4];
        var count = 0;
        foreach (var c in body)
        {
            if (distinct[..count].IndexOf(c) < 0)
            {
                if (count == distinct.Length)
                {
                    return false;
                }

                distinct[count++] = c;
            }
        }

        return true;
    }

    // Words that mark a placeholder. Only checked on values that do not have the provider's format: a random key
    // may contain "example" or "dummy" by chance, and a key of the right shape is never refused for that.
    private static bool ContainsPlaceholderWord(ReadOnlySpan<char> value)
    {
        foreach (var word in PlaceholderWords)
        {
            if (value.Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsPrintableAscii(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    private KeyValidationResult CheckCore(ProviderDescriptor descriptor, ReadOnlySpan<char> value, KeyKind kind)
    {
        var formats = descriptor.FormatsFor(kind).ToList();
        var expected = formats.Count > 0
            ? string.Join("; or ", formats.Select(f => f.Description))
            : $"{descriptor.DisplayName} documents no key format: any printable value of {MinUnknownFormatLength} to {MaxKeyLength} characters";
        var what = $"{descriptor.DisplayName} {Describe(kind)}";
        var envHint = (kind == KeyKind.Admin ? descriptor.AdminEnvironmentVariables : descriptor.EnvironmentVariables) is { Count: > 0 } names
            ? $" (usually in {string.Join(" or ", names)})"
            : string.Empty;

        KeyValidationResult Fail(KeyFormatError error, string message, ProviderId? looksLike = null)
            => new(descriptor.Id, kind, error, expected, message, looksLike);

        if (value.IsWhiteSpace())
        {
            return Fail(KeyFormatError.Empty, $"The {what} is empty. Set the real key{envHint}.");
        }

        var placeholderMessage = $"The {what} is a placeholder, not a real key. Replace it with the key from {descriptor.ConsoleUrl}{envHint}.";
        if (IsObviousPlaceholder(value, formats.FirstOrDefault(f => f.Prefix is not null)?.Prefix))
        {
            return Fail(KeyFormatError.Placeholder, placeholderMessage);
        }

        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return Fail(KeyFormatError.Whitespace, $"The {what} contains whitespace or a line break; keys never do. Trim the value (a trailing newline from a file or a copy is the usual cause).");
            }
        }

        if (value.Length > MaxKeyLength)
        {
            return Fail(KeyFormatError.WrongFormat, $"The {what} is {value.Length} characters long, longer than any key. Expected {expected}.");
        }

        if (AnyMatch(formats, value))
        {
            return new KeyValidationResult(descriptor.Id, kind, null, expected, $"The {what} has the expected format.");
        }

        if (ContainsPlaceholderWord(value))
        {
            return Fail(KeyFormatError.Placeholder, placeholderMessage);
        }

        var otherKind = kind == KeyKind.Admin ? KeyKind.Inference : KeyKind.Admin;
        if (AnyMatch(descriptor.FormatsFor(otherKind), value))
        {
            return kind == KeyKind.Inference
                ? Fail(KeyFormatError.AdminKeyAsInference, $"The value given as {Article(what)} is {Article(descriptor.DisplayName + " admin key")}. Admin keys manage keys and must never be used for inference: give IronCage an inference key here and the admin key to the provider adapter's options.")
                : Fail(KeyFormatError.InferenceKeyAsAdmin, $"The value given as {Article(what)} is {Article(descriptor.DisplayName + " inference key")}, which cannot manage keys. Create an admin key at {descriptor.ConsoleUrl}.");
        }

        foreach (var other in _catalog.All)
        {
            if (other.Id == descriptor.Id)
            {
                continue;
            }

            foreach (var format in other.KeyFormats)
            {
                if (format.Prefix is not null && !format.RequiresContext && format.IsMatch(value))
                {
                    return Fail(
                        KeyFormatError.OtherProvidersKey,
                        $"The value given as {Article(what)} is {Article(other.DisplayName + " " + Describe(format.Kind))} (it starts with '{format.Prefix}'). Register it under provider '{other.Id}', or give the {descriptor.DisplayName} key here.",
                        other.Id);
                }
            }
        }

        if (formats.Count == 0 || !formats.Exists(f => f.IsStrict))
        {
            if (value.Length < MinUnknownFormatLength || !IsPrintableAscii(value))
            {
                return Fail(KeyFormatError.WrongFormat, $"The {what} is not a plausible key: keys are at least {MinUnknownFormatLength} printable ASCII characters. Copy the whole key from {descriptor.ConsoleUrl}.");
            }

            var note = formats.Count == 0
                ? $"{descriptor.DisplayName} documents no key format; the value passed the generic checks."
                : $"The {what} does not have the usual shape ({expected}), which is only inferred from secret scanners; it passed the generic checks and is accepted.";
            return new KeyValidationResult(descriptor.Id, kind, null, expected, note);
        }

        return Fail(KeyFormatError.WrongFormat, $"The {what} does not have the expected format. Expected {expected}. Copy the whole key from {descriptor.ConsoleUrl}.");
    }
}
