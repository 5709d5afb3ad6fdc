using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IronCage.Testing.Emulator.Internal;

/// <summary>Why <see cref="BedrockShortTermKeyCheck"/> refused an Amazon Bedrock short-term API key.</summary>
internal enum ShortTermKeyFailure
{
    /// <summary>Not <c>bedrock-api-key-</c> and base64 of a pre-signed <c>bedrock.amazonaws.com</c> URL with <c>&amp;Version=1</c>.</summary>
    Malformed,

    /// <summary>The access key (or its session token) is not one the emulator knows.</summary>
    UnknownAccessKey,

    /// <summary>The signature is not the one the secret access key gives, or the scope names another region or service.</summary>
    SignatureMismatch,

    /// <summary>The key's <c>X-Amz-Expires</c> has passed, or the temporary credentials that signed it have expired.</summary>
    Expired,
}

/// <summary>
/// Checks an Amazon Bedrock short-term API key the way Bedrock does: decodes it to the pre-signed URL
/// (<c>POST https://bedrock.amazonaws.com/?Action=CallWithBearerToken&amp;X-Amz-…</c>), recomputes its SigV4 query-string
/// signature (service <c>bedrock</c>, signed header <c>host</c>, the empty payload's hash) with the secret of the access
/// key it names, and compares its <c>X-Amz-Date</c> + <c>X-Amz-Expires</c> (at most 43200 s) with the emulator's time.
/// </summary>
internal static class BedrockShortTermKeyCheck
{
    public const string Prefix = "bedrock-api-key-";
    private const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <param name="token">The bearer token.</param>
    /// <param name="region">The region the Bedrock endpoint serves.</param>
    /// <param name="secretOf">The secret access key of an access key id, given the session token the key carries (<see langword="null"/> for none), and when those credentials expire; <see langword="null"/> when unknown.</param>
    /// <param name="now">The emulator's time.</param>
    /// <returns><see langword="null"/> when the key is good.</returns>
    public static ShortTermKeyFailure? Check(string token, string region, Func<string, string?, (string Secret, DateTimeOffset? Expiration)?> secretOf, DateTimeOffset now)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return ShortTermKeyFailure.Malformed;
        }

        string url;
        try
        {
            url = Encoding.UTF8.GetString(Convert.FromBase64String(token[Prefix.Length..]));
        }
        catch (FormatException)
        {
            return ShortTermKeyFailure.Malformed;
        }

        const string Host = "bedrock.amazonaws.com";
        const string Version = "&Version=1";
        if (!url.StartsWith(Host + "/?", StringComparison.Ordinal) || !url.EndsWith(Version, StringComparison.Ordinal))
        {
            return ShortTermKeyFailure.Malformed;
        }

        var query = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in url[(Host.Length + 2)..^Version.Length].Split('&'))
        {
            var parts = pair.Split('=', 2);
            if (parts.Length != 2 || !query.TryAdd(Uri.UnescapeDataString(parts[0]), Uri.UnescapeDataString(parts[1])))
            {
                return ShortTermKeyFailure.Malformed;
            }
        }

        if (query.GetValueOrDefault("Action") != "CallWithBearerToken"
            || query.GetValueOrDefault("X-Amz-Algorithm") != "AWS4-HMAC-SHA256"
            || query.GetValueOrDefault("X-Amz-SignedHeaders") != "host"
            || !query.TryGetValue("X-Amz-Credential", out var credential)
            || !query.Remove("X-Amz-Signature", out var signature)
            || !query.TryGetValue("X-Amz-Date", out var amzDate)
            || !int.TryParse(query.GetValueOrDefault("X-Amz-Expires"), NumberStyles.None, CultureInfo.InvariantCulture, out var expiresSeconds)
            || expiresSeconds is < 1 or > 43200
            || !DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
        {
            return ShortTermKeyFailure.Malformed;
        }

        var scope = credential.Split('/');
        if (scope.Length != 5)
        {
            return ShortTermKeyFailure.Malformed;
        }

        if (secretOf(scope[0], query.GetValueOrDefault("X-Amz-Security-Token")) is not var (secret, credentialsExpire))
        {
            return ShortTermKeyFailure.UnknownAccessKey;
        }

        var canonicalQuery = string.Join('&', query.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        var canonicalRequest = $"POST\n/\n{canonicalQuery}\nhost:{Host}\n\nhost\n{EmptyPayloadHash}";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{string.Join('/', scope[1..])}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + secret);
        foreach (var part in scope[1..])
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        var expected = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature))
            || scope[1] != amzDate[..8] || scope[2] != region || scope[3] != "bedrock" || scope[4] != "aws4_request")
        {
            return ShortTermKeyFailure.SignatureMismatch;
        }

        if (signedAt > now + TimeSpan.FromMinutes(5) || now >= signedAt.AddSeconds(expiresSeconds) || (credentialsExpire is { } ends && now >= ends))
        {
            return ShortTermKeyFailure.Expired;
        }

        return null;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
