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

        if (secret is not null && !secret.IsDisposed && secret.Length > 0)
        {
            text = secret.UseChars(text, static (chars, t) => t.Replace(chars.ToString(), "[redacted]", StringComparison.Ordinal));
        }

        text = PrefixedToken().Replace(text, m => m.Groups["prefix"].Value + "[redacted]");
        text = OpaqueToken().Replace(text, "[redacted]");
        return text.Length <= MaxLength ? text : string.Concat(text.AsSpan(0, MaxLength), "…");
    }

    [GeneratedRegex(@"(?<prefix>sk-ant-(api|admin)\d\d-|sk-or-v1-|sk-proj-|sk-svcacct-|sk-admin-|sk-|gsk_|xai-|AIza|r8_|pplx-|hf_)[A-Za-z0-9_\-\.\*]{6,}", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, 250)]
    private static partial Regex PrefixedToken();

    [GeneratedRegex(@"(?<![A-Za-z0-9])[A-Za-z0-9_\-]{32,}(?![A-Za-z0-9])", RegexOptions.CultureInvariant, 250)]
    private static partial Regex OpaqueToken();
}
