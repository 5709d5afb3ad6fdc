using System.Text.Json;

namespace IronCage.Providers;

/// <summary>
/// The documented shape of a successful answer, so that a 2xx counts as proof only when it looks like the provider's
/// own answer (for example "a JSON object with a <c>data</c> array"). An HTML page from a captive portal or proxy, an
/// empty body or malformed JSON has no shape and is not proof that a key works.
/// </summary>
/// <remarks>
/// Only the top level is read, with a streaming reader, so a body cut off at the verifier's bound still matches on its
/// prefix; a body read in full must be well-formed JSON to the end. Trailing commas are tolerated (Replicate's own
/// example has one).
/// </remarks>
public sealed class ResponseShape
{
    private static readonly JsonReaderOptions ReaderOptions = new() { AllowTrailingCommas = true, MaxDepth = 64 };
    private readonly Expected _expected;

    private ResponseShape(Expected expected, string? property, string description)
    {
        _expected = expected;
        Property = property;
        Description = description;
    }

    private enum Expected
    {
        RootObject,
        RootArray,
        Array,
        Object,
        String,
        Boolean,
    }

    /// <summary>Gets the shape "a JSON object" (any members): for answers whose fields are not documented.</summary>
    public static ResponseShape JsonObject { get; } = new(Expected.RootObject, null, "a JSON object");

    /// <summary>Gets the shape "a JSON array" at the top level (Together's model list).</summary>
    public static ResponseShape JsonArray { get; } = new(Expected.RootArray, null, "a JSON array");

    /// <summary>Gets the top-level property the shape requires, or <see langword="null"/> when it requires none.</summary>
    public string? Property { get; }

    /// <summary>Gets the shape in words, for messages (for example <c>a JSON object with a "data" array</c>).</summary>
    public string Description { get; }

    /// <summary>A JSON object with an array at <paramref name="property"/> (OpenAI-style lists: <c>data</c>; Gemini: <c>models</c>).</summary>
    /// <param name="property">The top-level property name.</param>
    /// <returns>The shape.</returns>
    public static ResponseShape ObjectWithArray(string property) => Create(Expected.Array, property, "an array");

    /// <summary>A JSON object with an object at <paramref name="property"/> (OpenRouter's <c>data</c>).</summary>
    /// <param name="property">The top-level property name.</param>
    /// <returns>The shape.</returns>
    public static ResponseShape ObjectWithObject(string property) => Create(Expected.Object, property, "an object");

    /// <summary>A JSON object with a string at <paramref name="property"/> (Replicate's <c>username</c>).</summary>
    /// <param name="property">The top-level property name.</param>
    /// <returns>The shape.</returns>
    public static ResponseShape ObjectWithString(string property) => Create(Expected.String, property, "a string");

    /// <summary>A JSON object with <see langword="true"/> or <see langword="false"/> at <paramref name="property"/> (Cohere's <c>valid</c>).</summary>
    /// <param name="property">The top-level property name.</param>
    /// <returns>The shape.</returns>
    public static ResponseShape ObjectWithBoolean(string property) => Create(Expected.Boolean, property, "a boolean");

    /// <summary>Tells whether <paramref name="body"/> has this shape.</summary>
    /// <param name="body">The answer's body, or a bounded prefix of it.</param>
    /// <param name="isComplete"><see langword="true"/> when <paramref name="body"/> is the whole body; <see langword="false"/> when it may have been cut off at a bound.</param>
    /// <returns><see langword="true"/> when the body has the shape.</returns>
    public bool Matches(ReadOnlySpan<byte> body, bool isComplete = true)
    {
        var reader = new Utf8JsonReader(body, isComplete, new JsonReaderState(ReaderOptions));
        try
        {
            if (!reader.Read())
            {
                return false;
            }

            var matched = _expected switch
            {
                Expected.RootObject => reader.TokenType == JsonTokenType.StartObject,
                Expected.RootArray => reader.TokenType == JsonTokenType.StartArray,
                _ => reader.TokenType == JsonTokenType.StartObject && FindProperty(ref reader),
            };

            // A whole body must be well-formed to its end; a cut-off one is judged on what arrived.
            while (matched && isComplete && reader.Read())
            {
            }

            return matched;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public override string ToString() => Description;

    private static ResponseShape Create(Expected expected, string property, string what)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(property);
        return new ResponseShape(expected, property, $"a JSON object with {what} \"{property}\"");
    }

    private bool FindProperty(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isOurs = reader.ValueTextEquals(Property!);
            if (!reader.Read())
            {
                return false;
            }

            if (isOurs)
            {
                return _expected switch
                {
                    Expected.Array => reader.TokenType == JsonTokenType.StartArray,
                    Expected.Object => reader.TokenType == JsonTokenType.StartObject,
                    Expected.String => reader.TokenType == JsonTokenType.String,
                    _ => reader.TokenType is JsonTokenType.True or JsonTokenType.False,
                };
            }

            if (!reader.TrySkip())
            {
                return false;
            }
        }

        return false;
    }
}
