using System.Text.RegularExpressions;
using IronCage.Internal;

namespace IronCage.Providers;

/// <summary>
/// The shape of one kind of key of a provider, used to validate keys on input and to scan text for leaks.
/// </summary>
public sealed class KeyFormat
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(250);
    private readonly Regex _exact;

    /// <summary>Creates a key format.</summary>
    /// <param name="kind">Which kind of key this format describes.</param>
    /// <param name="pattern">A regular expression for the whole key, without anchors (they are added for validation).</param>
    /// <param name="description">The shape in words, shown in error messages (for example <c>sk-or-v1- followed by 64 hex characters</c>).</param>
    /// <param name="prefix">The distinctive prefix, if the key has one.</param>
    /// <exception cref="ArgumentException">A parameter is empty or the pattern is not a valid regular expression.</exception>
    public KeyFormat(KeyKind kind, string pattern, string description, string? prefix = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        Kind = kind;
        Pattern = pattern;
        Description = description;
        Prefix = string.IsNullOrEmpty(prefix) ? null : prefix;
        _exact = new Regex($"\\A(?:{pattern})\\z", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, MatchTimeout);
    }

    /// <summary>Gets which kind of key this format describes.</summary>
    public KeyKind Kind { get; }

    /// <summary>Gets the regular expression for the whole key, without anchors.</summary>
    public string Pattern { get; }

    /// <summary>Gets the shape in words, for error messages.</summary>
    public string Description { get; }

    /// <summary>Gets the distinctive prefix (<c>sk-ant-api03-</c>, <c>gsk_</c>, ...), or <see langword="null"/> when keys have none.</summary>
    public string? Prefix { get; }

    /// <summary>
    /// Gets words that must appear near a match for it to mean this provider when scanning text, for formats
    /// without a distinctive prefix (a bare 32-character token means nothing on its own).
    /// </summary>
    /// <value>Empty when the format is distinctive by itself.</value>
    public IReadOnlyList<string> ContextKeywords { get; init => field = Frozen.List(value); } = [];

    /// <summary>
    /// Gets a value indicating whether a value that does not match is refused on input. Formats inferred from
    /// secret-scanning heuristics rather than documented by the provider (a bare 32–64 character token) are not
    /// strict: a value of another shape is accepted after the generic checks, with a note, because the provider may
    /// have changed its keys.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool IsStrict { get; init; } = true;

    /// <summary>Gets a value indicating whether a match only means this provider next to one of <see cref="ContextKeywords"/>.</summary>
    public bool RequiresContext => ContextKeywords.Count > 0;

    /// <summary>Checks whether a whole value has this format.</summary>
    /// <param name="value">The value.</param>
    /// <returns><see langword="true"/> when it matches.</returns>
    public bool IsMatch(ReadOnlySpan<char> value)
    {
        try
        {
            return _exact.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>Checks whether a secret has this format, without turning it into a string.</summary>
    /// <param name="secret">The secret.</param>
    /// <returns><see langword="true"/> when it matches.</returns>
    public bool IsMatch(SecretValue secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return secret.UseChars(this, static (chars, format) => format.IsMatch(chars));
    }

    /// <inheritdoc />
    public override string ToString() => $"{Kind}: {Description}";
}
