using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NodaTime;

namespace IronCage.Notifications;

/// <summary>
/// Signs webhook deliveries and lets receivers verify them: an HMAC-SHA256 over the timestamp and the body, keyed with
/// the secret shared between IronCage and the receiver (the scheme GitHub and Stripe use).
/// </summary>
/// <remarks>
/// <para>
/// Every delivery carries <c>X-IronCage-Timestamp: &lt;Unix seconds&gt;</c> and
/// <c>X-IronCage-Signature: sha256=&lt;hex&gt;</c>, where <c>hex</c> is the lowercase hexadecimal
/// HMAC-SHA256, keyed with the UTF-8 bytes of the secret, of the UTF-8 bytes of <c>"&lt;timestamp&gt;.&lt;body&gt;"</c>:
/// the timestamp header's value, a full stop, and the raw request body exactly as received.
/// </para>
/// <para>
/// A receiver reads the raw body (before any JSON parsing, which could change it), computes the same HMAC, compares it
/// with the header in constant time, and rejects the delivery when they differ or when the timestamp is further than
/// a few minutes from its own clock. Because the timestamp is inside the signed text, an attacker who captured a
/// delivery cannot replay it later with a fresh timestamp, and the tolerance bounds how long a captured delivery can
/// be replayed as it is; within that window, drop duplicates by the body's <c>id</c> (the same on every retry of one
/// delivery). Route and deduplicate on the signed body's <c>id</c> and <c>type</c>, never on the unsigned
/// <c>X-IronCage-Delivery</c> and <c>X-IronCage-Event</c> headers, which are only conveniences. Each retry is signed
/// anew with its own timestamp. <see cref="Verify(string, string?, ReadOnlySpan{byte}, string?, Instant, Duration)"/>
/// does all of this:
/// </para>
/// <code>
/// app.MapPost("/hooks/ironcage", async (HttpRequest request) =>
/// {
///     using var buffer = new MemoryStream();
///     await request.Body.CopyToAsync(buffer);
///     var valid = WebhookSignature.Verify(secret, request.Headers["X-IronCage-Timestamp"], buffer.ToArray(),
///         request.Headers["X-IronCage-Signature"], SystemClock.Instance.GetCurrentInstant(), Duration.FromMinutes(5));
///     return valid ? Results.Ok() : Results.Unauthorized();
/// });
/// </code>
/// </remarks>
public static class WebhookSignature
{
    private const string HexDigits = "0123456789abcdef";
    private const int HashLength = 32;

    /// <summary>Computes the signature header's value for a delivery.</summary>
    /// <param name="secret">The shared secret.</param>
    /// <param name="timestamp">The timestamp in Unix seconds, as sent in <c>X-IronCage-Timestamp</c>.</param>
    /// <param name="body">The raw request body.</param>
    /// <returns><c>sha256=</c> followed by 64 lowercase hexadecimal digits.</returns>
    /// <exception cref="ArgumentException"><paramref name="secret"/> is null or empty.</exception>
    public static string Compute(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        Span<byte> hash = stackalloc byte[HashLength];
        Hash(secret, timestamp.ToString(CultureInfo.InvariantCulture), body, hash);
        return NotificationConstants.SignaturePrefix + ToLowerHex(hash);
    }

    /// <summary>Computes the signature header's value for a delivery whose body is text (signed as UTF-8).</summary>
    /// <param name="secret">The shared secret.</param>
    /// <param name="timestamp">The timestamp in Unix seconds, as sent in <c>X-IronCage-Timestamp</c>.</param>
    /// <param name="body">The request body.</param>
    /// <returns><c>sha256=</c> followed by 64 lowercase hexadecimal digits.</returns>
    /// <exception cref="ArgumentException"><paramref name="secret"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    public static string Compute(string secret, long timestamp, string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Compute(secret, timestamp, Encoding.UTF8.GetBytes(body));
    }

    /// <summary>
    /// Verifies a delivery: the signature must match the timestamp and body (compared in constant time), and the
    /// timestamp must be within <paramref name="tolerance"/> of <paramref name="now"/>, either way.
    /// </summary>
    /// <param name="secret">The shared secret.</param>
    /// <param name="timestamp">The <c>X-IronCage-Timestamp</c> header as received.</param>
    /// <param name="body">The raw request body as received.</param>
    /// <param name="signatureHeader">The <c>X-IronCage-Signature</c> header as received.</param>
    /// <param name="now">The receiver's current time.</param>
    /// <param name="tolerance">How far the timestamp may be from <paramref name="now"/>; <see cref="NotificationConstants.DefaultSignatureTolerance"/> (5 minutes) suits most receivers.</param>
    /// <returns><see langword="true"/> when the delivery is authentic and fresh; <see langword="false"/> when a header is missing or malformed, the signature does not match, or the timestamp is stale.</returns>
    /// <exception cref="ArgumentException"><paramref name="secret"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tolerance"/> is negative.</exception>
    public static bool Verify(string secret, string? timestamp, ReadOnlySpan<byte> body, string? signatureHeader, Instant now, Duration tolerance)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        if (tolerance < Duration.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must not be negative.");
        }

        if (timestamp is null
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || signatureHeader is null
            || !signatureHeader.StartsWith(NotificationConstants.SignaturePrefix, StringComparison.Ordinal))
        {
            return false;
        }

        Span<byte> provided = stackalloc byte[HashLength];
        if (!TryParseHex(signatureHeader.AsSpan(NotificationConstants.SignaturePrefix.Length), provided))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HashLength];
        Hash(secret, timestamp, body, expected);
        var authentic = CryptographicOperations.FixedTimeEquals(expected, provided);
        return authentic && IsFresh(seconds, now, tolerance);
    }

    /// <summary>Verifies a delivery whose body was read as text (verified as its UTF-8 bytes); see <see cref="Verify(string, string?, ReadOnlySpan{byte}, string?, Instant, Duration)"/>.</summary>
    /// <param name="secret">The shared secret.</param>
    /// <param name="timestamp">The <c>X-IronCage-Timestamp</c> header as received.</param>
    /// <param name="body">The request body as received.</param>
    /// <param name="signatureHeader">The <c>X-IronCage-Signature</c> header as received.</param>
    /// <param name="now">The receiver's current time.</param>
    /// <param name="tolerance">How far the timestamp may be from <paramref name="now"/>.</param>
    /// <returns><see langword="true"/> when the delivery is authentic and fresh.</returns>
    /// <exception cref="ArgumentException"><paramref name="secret"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tolerance"/> is negative.</exception>
    public static bool Verify(string secret, string? timestamp, string body, string? signatureHeader, Instant now, Duration tolerance)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Verify(secret, timestamp, Encoding.UTF8.GetBytes(body), signatureHeader, now, tolerance);
    }

    private static void Hash(string secret, string timestamp, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        var key = Encoding.UTF8.GetBytes(secret);
        try
        {
            using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
            hmac.AppendData(Encoding.ASCII.GetBytes(timestamp + "."));
            hmac.AppendData(body);
            hmac.GetHashAndReset(destination);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static bool IsFresh(long seconds, Instant now, Duration tolerance)
    {
        if (seconds > Instant.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        var age = now - Instant.FromUnixTimeSeconds(seconds);
        return age <= tolerance && -age <= tolerance;
    }

    private static string ToLowerHex(ReadOnlySpan<byte> bytes)
    {
        Span<char> chars = stackalloc char[bytes.Length * 2];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[2 * i] = HexDigits[bytes[i] >> 4];
            chars[(2 * i) + 1] = HexDigits[bytes[i] & 0xF];
        }

        return new string(chars);
    }

    private static bool TryParseHex(ReadOnlySpan<char> hex, Span<byte> destination)
    {
        if (hex.Length != destination.Length * 2)
        {
            return false;
        }

        for (var i = 0; i < destination.Length; i++)
        {
            var high = HexValue(hex[2 * i]);
            var low = HexValue(hex[(2 * i) + 1]);
            if ((high | low) < 0)
            {
                return false;
            }

            destination[i] = (byte)((high << 4) | low);
        }

        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
