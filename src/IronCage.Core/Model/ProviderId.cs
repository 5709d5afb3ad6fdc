using System.Diagnostics.CodeAnalysis;

namespace IronCage;

/// <summary>
/// Identifies an LLM provider (<c>openai</c>, <c>anthropic</c>, ...). An open set: the well-known
/// values cover every provider of the built-in catalog, and hosts may add their own.
/// </summary>
/// <remarks>
/// Values are lower-case ASCII letters, digits and dashes (1 to 64 characters). Input is
/// normalised to lower case, so <c>"OpenAI"</c> and <c>"openai"</c> are the same provider.
/// </remarks>
public readonly struct ProviderId : IEquatable<ProviderId>, ISpanFormattable
{
    private const int MaxLength = 64;
    private readonly string? _value;

    /// <summary>Creates a provider id from its string form.</summary>
    /// <param name="value">The id, for example <c>openai</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is empty, longer than 64 characters, or holds characters other than letters, digits and dashes.</exception>
    public ProviderId(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!TryNormalize(value, out var normalized, out var problem))
        {
            throw new ArgumentException(
                $"'{Truncate(value)}' is not a valid provider id: {problem} Use lower-case letters, digits and dashes, for example 'openai' or 'azure-openai'.",
                nameof(value));
        }

        _value = normalized;
    }

    /// <summary>OpenAI (<c>openai</c>).</summary>
    public static ProviderId OpenAI { get; } = new("openai");

    /// <summary>Anthropic (<c>anthropic</c>).</summary>
    public static ProviderId Anthropic { get; } = new("anthropic");

    /// <summary>Amazon Bedrock through IAM service-specific credentials (<c>aws-bedrock</c>).</summary>
    public static ProviderId AwsBedrock { get; } = new("aws-bedrock");

    /// <summary>Amazon Bedrock short-term API keys, pre-signed SigV4 tokens IronCage generates from the host's AWS credentials (<c>aws-bedrock-short-term</c>).</summary>
    public static ProviderId AwsBedrockShortTerm { get; } = new("aws-bedrock-short-term");

    /// <summary>Azure OpenAI / Azure AI Services (<c>azure-openai</c>).</summary>
    public static ProviderId AzureOpenAI { get; } = new("azure-openai");

    /// <summary>Google Gemini API keys, managed through the API Keys API v2 (<c>google-gemini</c>).</summary>
    public static ProviderId GoogleGemini { get; } = new("google-gemini");

    /// <summary>OpenRouter (<c>openrouter</c>).</summary>
    public static ProviderId OpenRouter { get; } = new("openrouter");

    /// <summary>xAI (Grok) (<c>xai</c>).</summary>
    public static ProviderId XAI { get; } = new("xai");

    /// <summary>Fireworks AI (<c>fireworks</c>).</summary>
    public static ProviderId Fireworks { get; } = new("fireworks");

    /// <summary>Mistral AI (<c>mistral</c>).</summary>
    public static ProviderId Mistral { get; } = new("mistral");

    /// <summary>Perplexity (<c>perplexity</c>).</summary>
    public static ProviderId Perplexity { get; } = new("perplexity");

    /// <summary>Groq (<c>groq</c>).</summary>
    public static ProviderId Groq { get; } = new("groq");

    /// <summary>Together AI (<c>together</c>).</summary>
    public static ProviderId Together { get; } = new("together");

    /// <summary>Cohere (<c>cohere</c>).</summary>
    public static ProviderId Cohere { get; } = new("cohere");

    /// <summary>Replicate (<c>replicate</c>).</summary>
    public static ProviderId Replicate { get; } = new("replicate");

    /// <summary>DeepSeek (<c>deepseek</c>).</summary>
    public static ProviderId DeepSeek { get; } = new("deepseek");

    /// <summary>Gets the normalised string form of the id.</summary>
    /// <value>The id; an empty string for <c>default(ProviderId)</c>.</value>
    public string Value => _value ?? string.Empty;

    /// <summary>Gets a value indicating whether this is <c>default(ProviderId)</c>, which names no provider.</summary>
    public bool IsEmpty => _value is null;

    /// <summary>Parses a provider id, throwing on invalid input.</summary>
    /// <param name="value">The text to parse.</param>
    /// <returns>The provider id.</returns>
    /// <exception cref="ArgumentException">The text is not a valid provider id.</exception>
    public static ProviderId Parse(string value) => new(value);

    /// <summary>Tries to parse a provider id.</summary>
    /// <param name="value">The text to parse.</param>
    /// <param name="providerId">The parsed id when the method returns <see langword="true"/>.</param>
    /// <returns><see langword="true"/> when <paramref name="value"/> is a valid id.</returns>
    public static bool TryParse([NotNullWhen(true)] string? value, out ProviderId providerId)
    {
        if (value is not null && TryNormalize(value, out var normalized, out _))
        {
            providerId = new ProviderId(normalized, trusted: true);
            return true;
        }

        providerId = default;
        return false;
    }

    /// <summary>Compares two provider ids.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns><see langword="true"/> when both name the same provider.</returns>
    public static bool operator ==(ProviderId left, ProviderId right) => left.Equals(right);

    /// <summary>Compares two provider ids.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns><see langword="true"/> when they name different providers.</returns>
    public static bool operator !=(ProviderId left, ProviderId right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(ProviderId other) => string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ProviderId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _value is null ? 0 : StringComparer.Ordinal.GetHashCode(_value);

    /// <inheritdoc />
    public override string ToString() => Value;

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => Value;

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        var value = Value;
        if (value.AsSpan().TryCopyTo(destination))
        {
            charsWritten = value.Length;
            return true;
        }

        charsWritten = 0;
        return false;
    }

    private ProviderId(string normalized, bool trusted)
    {
        _ = trusted;
        _value = normalized;
    }

    private static bool TryNormalize(string value, [NotNullWhen(true)] out string? normalized, out string problem)
    {
        normalized = null;
        if (value.Length == 0)
        {
            problem = "it is empty.";
            return false;
        }

        if (value.Length > MaxLength)
        {
            problem = $"it is longer than {MaxLength} characters.";
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                problem = "it contains a character that is not a letter, digit or dash.";
                return false;
            }
        }

        if (value[0] == '-' || value[^1] == '-')
        {
            problem = "it starts or ends with a dash.";
            return false;
        }

        problem = string.Empty;
        normalized = value.ToLowerInvariant();
        return true;
    }

    private static string Truncate(string value) => value.Length <= 40 ? value : string.Concat(value.AsSpan(0, 40), "…");
}
