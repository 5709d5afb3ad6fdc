using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace IronCage.Testing.Emulator.Internal;

/// <summary>
/// Checks a request's AWS Signature Version 4 (<c>Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…,
/// Signature=…</c> and <c>X-Amz-Date</c>) against one access key pair, region and service, the way every AWS emulator
/// here does; each emulator turns the <see cref="SigV4Failure"/> into its service's error code.
/// </summary>
internal static class SigV4Verifier
{
    /// <summary>Verifies the signature of a request whose body has been read.</summary>
    /// <returns><see langword="null"/> when the request is signed correctly, else the reason it is refused.</returns>
    public static SigV4Failure? Verify(HttpContext context, string body, string accessKeyId, string secretAccessKey, string region, string service, DateTimeOffset now)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(authorization))
        {
            return SigV4Failure.Missing;
        }

        const string Scheme = "AWS4-HMAC-SHA256 ";
        var parts = authorization.StartsWith(Scheme, StringComparison.Ordinal)
            ? authorization[Scheme.Length..].Split(',', StringSplitOptions.TrimEntries).Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal)
            : [];
        if (!parts.TryGetValue("Credential", out var credential) || !parts.TryGetValue("SignedHeaders", out var signedHeaders) || !parts.TryGetValue("Signature", out var signature))
        {
            return SigV4Failure.Incomplete;
        }

        var scope = credential.Split('/');
        if (scope.Length != 5 || !string.Equals(scope[0], accessKeyId, StringComparison.Ordinal))
        {
            return SigV4Failure.UnknownAccessKey;
        }

        var amzDate = context.Request.Headers["X-Amz-Date"].ToString();
        var canonicalHeaders = new StringBuilder();
        foreach (var header in signedHeaders.Split(';'))
        {
            var value = string.Equals(header, "host", StringComparison.Ordinal) ? context.Request.Host.Value : context.Request.Headers[header].ToString();
            canonicalHeaders.Append(header).Append(':').Append(value?.Trim()).Append('\n');
        }

        var canonicalRequest = $"{context.Request.Method}\n{context.Request.Path.Value}\n\n{canonicalHeaders}\n{signedHeaders}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(body)))}";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{string.Join('/', scope[1..])}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + secretAccessKey);
        foreach (var part in scope[1..])
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        var expected = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
        {
            return SigV4Failure.SignatureMismatch;
        }

        if (!string.Equals(scope[2], region, StringComparison.Ordinal) || !string.Equals(scope[3], service, StringComparison.Ordinal))
        {
            return SigV4Failure.WrongScope;
        }

        if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt) || (now - signedAt).Duration() > TimeSpan.FromMinutes(5))
        {
            return SigV4Failure.Expired;
        }

        return null;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
