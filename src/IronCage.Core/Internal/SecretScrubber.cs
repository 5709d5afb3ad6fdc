using System.Buffers;
using System.Buffers.Text;
using System.Text.RegularExpressions;

namespace IronCage.Internal;

/// <summary>
/// Removes anything that looks like a key from text that came from outside (provider error messages) before
/// it reaches an exception message or a log: the exact secrets the caller knows (and their base64, base64url and
/// URL-escaped forms), tokens with a known key prefix, long opaque tokens, base64-shaped tokens (Amazon Bedrock API
/// keys) and runs of hex long enough to be part of a key.
/// </summary>
internal static partial class SecretScrubber
{
    private const int MaxLength = 300;
    private const string Redacted = "[redacted]";

    public static string? Scrub(string? text, SecretValue? secret = null)
        => Scrub(text, secret is null ? [] : [secret]);

    /// <summary>Scrubs <paramref name="text"/> of every one of <paramref name="secrets"/> (exact value and its obvious encodings) and of anything key-shaped.</summary>
    public static string? Scrub(string? text, IReadOnlyList<SecretValue?> secrets)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        text = ScrubKnown(text, secrets);
        text = Base64Token().Replace(text, static m => IsPathLike(m.ValueSpan) ? m.Value : Redacted);
        text = OpaqueToken().Replace(text, Redacted);
        text = HexRun().Replace(text, Redacted);
        return Truncate(text);
    }

    /// <summary>
    /// Scrubs an identifier a provider sends for correlation (a request id): the exact secret and prefixed keys are
    /// removed, but the long-opaque-token heuristic is not applied, because request ids are long opaque tokens
    /// themselves (OpenAI's <c>req_</c> + 32 hex, the GUIDs of Azure and AWS) and are useless once redacted.
    /// </summary>
    public static string? ScrubIdentifier(string? text, SecretValue? secret = null)
        => string.IsNullOrEmpty(text) ? text : Truncate(ScrubKnown(text, secret is null ? [] : [secret]));

    /// <summary>
    /// Scrubs IronCage's own message (which may quote provider text) of the exact <paramref name="secrets"/>, their
    /// encodings and prefixed keys, without the heuristics that would also redact the ids such messages name.
    /// </summary>
    public static string ScrubSecrets(string text, IReadOnlyList<SecretValue?> secrets)
        => string.IsNullOrEmpty(text) ? text : ScrubKnown(text, secrets);

    private static string ScrubKnown(string text, IReadOnlyList<SecretValue?> secrets)
    {
        foreach (var secret in secrets)
        {
            if (secret is not null && !secret.IsDisposed && secret.Length > 0)
            {
                text = secret.UseBytes(text, static (bytes, t) => ReplaceEncodings(t, bytes));
            }
        }

        return PrefixedToken().Replace(text, m => m.Groups["prefix"].Value + Redacted);
    }

    private static string Truncate(string text) => text.Length <= MaxLength ? text : string.Concat(text.AsSpan(0, MaxLength), "…");

    // The secret itself, then the forms a provider or a proxy may echo it in: base64 (with and without padding),
    // base64url and URL-escaped. The encoded forms live in pooled buffers that are cleared after use, never in strings.
    private static string ReplaceEncodings(string text, ReadOnlySpan<byte> utf8)
    {
        var chars = ArrayPool<char>.Shared.Rent(Math.Max(utf8.Length * 3, Base64.GetMaxEncodedToUtf8Length(utf8.Length)) + 4);
        var bytes = ArrayPool<byte>.Shared.Rent(Base64.GetMaxEncodedToUtf8Length(utf8.Length) + 4);
        try
        {
            var length = System.Text.Encoding.UTF8.GetChars(utf8, chars);
            text = ReplaceAll(text, chars.AsSpan(0, length));

            Base64.EncodeToUtf8(utf8, bytes, out _, out var written);
            length = Latin(bytes.AsSpan(0, written), chars);
            text = ReplaceAll(text, chars.AsSpan(0, length));
            text = ReplaceAll(text, chars.AsSpan(0, length).TrimEnd('='));
            for (var i = 0; i < length; i++)
            {
                chars[i] = chars[i] switch { '+' => '-', '/' => '_', var c => c };
            }

            text = ReplaceAll(text, chars.AsSpan(0, length).TrimEnd('='));
            length = UrlEscape(utf8, chars);
            return ReplaceAll(text, chars.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars, clearArray: true);
            ArrayPool<byte>.Shared.Return(bytes, clearArray: true);
        }
    }

    private static int Latin(ReadOnlySpan<byte> ascii, Span<char> destination)
    {
        for (var i = 0; i < ascii.Length; i++)
        {
            destination[i] = (char)ascii[i];
        }

        return ascii.Length;
    }

    // Percent-encodes like Uri.EscapeDataString: unreserved characters stay, every other byte becomes %XX.
    private static int UrlEscape(ReadOnlySpan<byte> utf8, Span<char> destination)
    {
        const string hex = "0123456789ABCDEF";
        var n = 0;
        foreach (var b in utf8)
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                destination[n++] = (char)b;
            }
            else
            {
                destination[n++] = '%';
                destination[n++] = hex[b >> 4];
                destination[n++] = hex[b & 0xF];
            }
        }

        return n;
    }

    // Replaces every occurrence of the secret without turning the secret into a string of its own.
    private static string ReplaceAll(string text, ReadOnlySpan<char> secret)
    {
        if (secret.Length < 4)
        {
            return text;
        }

        var rest = text.AsSpan();
        var index = rest.IndexOf(secret, StringComparison.Ordinal);
        if (index < 0)
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(text.Length);
        while (index >= 0)
        {
            builder.Append(rest[..index]).Append(Redacted);
            rest = rest[(index + secret.Length)..];
            index = rest.IndexOf(secret, StringComparison.Ordinal);
        }

        return builder.Append(rest).ToString();
    }

    // A URL path such as /v1/organization/projects/proj_abc/service_accounts is base64-shaped but no secret: every
    // segment is short and nothing marks base64 ('+' or '=' padding). A random base64 run of 24+ characters almost
    // always has a long segment.
    private static bool IsPathLike(ReadOnlySpan<char> token)
    {
        if (!token.Contains('/') || token.Contains('+') || token.EndsWith("="))
        {
            return false;
        }

        var rest = token;
        while (true)
        {
            var slash = rest.IndexOf('/');
            var segment = slash < 0 ? rest : rest[..slash];
            if (segment.Length >= 20)
            {
                return false;
            }

            if (slash < 0)
            {
                return true;
            }

            rest = rest[(slash + 1)..];
        }
    }

    [GeneratedRegex(@"(?<prefix>sk-ant-(api|admin)\d\d-|sk-or-v1-|sk-proj-|sk-svcacct-|sk-admin-|sk-|gsk_|xai-|AIza|r8_|pplx-|hf_)[A-Za-z0-9_\-\.\*+/=]{6,}", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, 250)]
    private static partial Regex PrefixedToken();

    [GeneratedRegex(@"(?<![A-Za-z0-9])[A-Za-z0-9_\-]{32,}(?![A-Za-z0-9])", RegexOptions.CultureInvariant, 250)]
    private static partial Regex OpaqueToken();

    // Base64 runs (standard alphabet, optional padding) of 24+ characters with a digit and both letter cases: an
    // Amazon Bedrock API key and other base64-encoded credentials, which the opaque-token rule misses at '+' and '/'.
    [GeneratedRegex(@"(?<![A-Za-z0-9+/=_\-])(?=[A-Za-z0-9+/]*[0-9])(?=[A-Za-z0-9+/]*[A-Z])(?=[A-Za-z0-9+/]*[a-z])[A-Za-z0-9+/]{24,}={0,2}(?![A-Za-z0-9+/=_\-])", RegexOptions.CultureInvariant, 250)]
    private static partial Regex Base64Token();

    // A partial echo of a hex key (OpenRouter's 64 hex, Azure's 32 hex): 16+ hex characters with a digit and a letter.
    [GeneratedRegex(@"(?<![A-Za-z0-9])(?=[0-9a-fA-F]*[0-9])(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{16,}(?![A-Za-z0-9])", RegexOptions.CultureInvariant, 250)]
    private static partial Regex HexRun();
}
