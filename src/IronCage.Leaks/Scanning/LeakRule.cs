using System.Text.RegularExpressions;
using IronCage.Providers;

namespace IronCage.Leaks.Scanning;

/// <summary>One key shape to scan for: a catalog key format, compiled for finding (with token boundaries) and for checking.</summary>
internal sealed class LeakRule
{
    // A key is a whole token: the characters keys are made of may not continue it on either side, so a shape
    // inside a longer identifier or a base64 blob is not a key.
    internal const string Before = "(?<![A-Za-z0-9_-])";
    internal const string After = "(?![A-Za-z0-9_-])";

    // A generic token (no prefix) may also not touch base64's '+' and '/' (or be followed by its '=' padding): the
    // runs between them in a base64 blob are letters and digits of every length.
    private const string TokenBefore = "(?<![A-Za-z0-9_+/-])";
    private const string TokenAfter = "(?![A-Za-z0-9_+/=-])";
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);

    public LeakRule(ProviderId provider, KeyKind kind, string pattern, string? prefix, IReadOnlyList<string> keywords, bool isStrict)
    {
        Provider = provider;
        Kind = kind;
        Pattern = pattern;
        Prefix = prefix;
        Keywords = keywords;
        IsStrict = isStrict;
        Exact = new Regex($"\\A(?:{pattern})\\z", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.Compiled, MatchTimeout);
        Find = new Regex(keywords.Count == 0 ? $"{Before}(?:{pattern}){After}" : $"{TokenBefore}(?:{pattern}){TokenAfter}", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.Compiled, MatchTimeout);
    }

    public ProviderId Provider { get; }

    public KeyKind Kind { get; }

    public string Pattern { get; }

    public string? Prefix { get; }

    /// <summary>Gets the words that must be near a match (empty for prefix-anchored shapes).</summary>
    public IReadOnlyList<string> Keywords { get; }

    public bool RequiresContext => Keywords.Count > 0;

    /// <summary>Gets a value indicating whether the shape is documented (not a generic 32–64 character token).</summary>
    public bool IsStrict { get; }

    public Regex Exact { get; }

    public Regex Find { get; }

    /// <summary>
    /// Screens out keyword-anchored matches that are not keys: a generated key mixes letters and digits (and, for the
    /// generic token shapes, both cases), where hex hashes are lower case and words have no digits.
    /// </summary>
    public bool LooksRandom(ReadOnlySpan<char> value)
    {
        if (!RequiresContext)
        {
            return true;
        }

        bool upper = false, lower = false, digit = false;
        foreach (var c in value)
        {
            upper |= char.IsAsciiLetterUpper(c);
            lower |= char.IsAsciiLetterLower(c);
            digit |= char.IsAsciiDigit(c);
        }

        return IsStrict ? digit && (upper || lower) : digit && upper && lower;
    }
}
