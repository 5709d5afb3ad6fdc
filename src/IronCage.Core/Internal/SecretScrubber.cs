using System.Text.RegularExpressions;

namespace IronCage.Internal;

/// <summary>
/// Removes anything that looks like a key from text that came from outside (provider error messages) before
/// it reaches an exception message or a log: the exact secret, tokens with a known key prefix, and long opaque tokens.
/// </summary>
internal static partial class SecretScrubber
{
    private const int MaxLength = 300;

    public static string? Scrub(string? text, SecretValue? secret = null)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        text = ScrubKnown(text, secret);
        text = OpaqueToken().Replace(text, "[redacted]");
        return Truncate(text);
    }

    /// <summary>
    /// Scrubs an identifier a provider sends for correlation (a request id): the exact secret and prefixed keys are
    /// removed, but the long-opaque-token heuristic is not applied, because request ids are long opaque tokens
    /// themselves (OpenAI's <c>req_</c> + 32 hex, the GUIDs of Azure and AWS) and are useless once redacted.
    /// </summary>
    public static string? ScrubIdentifier(string? text, SecretValue? secret = null)
        => string.IsNullOrEmpty(text) ? text : Truncate(ScrubKnown(text, secret));

    private static string ScrubKnown(string text, SecretValue? secret)
    {
        if (secret is not null && !secret.IsDisposed && secret.Length > 0)
        {
            text = secret.UseChars(text, static (chars, t) => ReplaceAll(t, chars));
        }

        return PrefixedToken().Replace(text, m => m.Groups["prefix"].Value + "[redacted]");
    }

    private static string Truncate(string text) => text.Length <= MaxLength ? text : string.Concat(text.AsSpan(0, MaxLength), "…");

    // Replaces every occurrence of the secret without turning the secret into a string of its own.
    private static string ReplaceAll(string text, ReadOnlySpan<char> secret)
    {
        var rest = text.AsSpan();
        var index = rest.IndexOf(secret, StringComparison.Ordinal);
        if (index < 0)
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(text.Length);
        while (index >= 0)
        {
            builder.Append(rest[..index]).Append("[redacted]");
            rest = rest[(index + secret.Length)..];
            index = rest.IndexOf(secret, StringComparison.Ordinal);
        }

        return builder.Append(rest).ToString();
    }

    [GeneratedRegex(@"(?<prefix>sk-ant-(api|admin)\d\d-|sk-or-v1-|sk-proj-|sk-svcacct-|sk-admin-|sk-|gsk_|xai-|AIza|r8_|pplx-|hf_)[A-Za-z0-9_\-\.\*]{6,}", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, 250)]
    private static partial Regex PrefixedToken();

    [GeneratedRegex(@"(?<![A-Za-z0-9])[A-Za-z0-9_\-]{32,}(?![A-Za-z0-9])", RegexOptions.CultureInvariant, 250)]
    private static partial Regex OpaqueToken();
}
