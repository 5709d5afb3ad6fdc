using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace IronCage.Providers.AwsBedrock;

/// <summary>
/// Makes an Amazon Bedrock short-term API key the way AWS's token generators do: a SigV4 query-string pre-signature
/// (AWSSDK.Core's <see cref="AWSSigV4Signer.PresignAsync"/>) of <c>POST https://bedrock.amazonaws.com/?Action=CallWithBearerToken</c>
/// for service <c>bedrock</c> in the key's region, expiring after <c>X-Amz-Expires</c> seconds; the URL without its
/// scheme, with <c>&amp;Version=1</c> appended, base64-encoded and prefixed with <c>bedrock-api-key-</c>.
/// </summary>
internal static class BedrockShortTermKey
{
    private static readonly Uri SignedUri = new($"https://{AwsBedrockConstants.ShortTermSignedHost}/?Action={AwsBedrockConstants.ShortTermAction}");

    /// <summary>Signs a key with <paramref name="credentials"/> for <paramref name="region"/>, valid <paramref name="lifetime"/> (whole seconds) from <paramref name="signedAt"/>.</summary>
    /// <returns>The key; the caller disposes it.</returns>
    public static async Task<SecretValue> CreateAsync(ImmutableCredentials credentials, string region, TimeSpan lifetime, DateTimeOffset signedAt, CancellationToken cancellationToken)
    {
        AWSCredentials signing = credentials.UseToken
            ? new SessionAWSCredentials(credentials.AccessKey, credentials.SecretKey, credentials.Token)
            : new BasicAWSCredentials(credentials.AccessKey, credentials.SecretKey);
        var presigned = await AWSSigV4Signer.PresignAsync(
            new AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = SignedUri },
            new AWSSigV4Parameters
            {
                Credentials = signing,
                Region = RegionEndpoint.GetBySystemName(region),
                Service = AwsBedrockConstants.ShortTermSigningService,
                SignedAt = signedAt.UtcDateTime,
            },
            TimeSpan.FromSeconds(Math.Floor(lifetime.TotalSeconds)),
            cancellationToken).ConfigureAwait(false);
        return Encode(presigned.Uri.AbsoluteUri);
    }

    /// <summary>Encodes a pre-signed URL as a key: the prefix, then the base64 of the URL without <c>https://</c> and with <c>&amp;Version=1</c>.</summary>
    internal static SecretValue Encode(string presignedUrl)
    {
        const string Scheme = "https://";
        var url = presignedUrl.AsSpan(presignedUrl.StartsWith(Scheme, StringComparison.Ordinal) ? Scheme.Length : 0);
        var suffix = "&Version=" + AwsBedrockConstants.ShortTermTokenVersion;
        var prefix = AwsBedrockConstants.ShortTermKeyPrefix.Length;
        var raw = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(url.Length + suffix.Length));
        byte[]? key = null;
        try
        {
            var length = Encoding.UTF8.GetBytes(url, raw);
            length += Encoding.UTF8.GetBytes(suffix, raw.AsSpan(length));
            key = ArrayPool<byte>.Shared.Rent(prefix + Base64.GetMaxEncodedToUtf8Length(length));
            Encoding.ASCII.GetBytes(AwsBedrockConstants.ShortTermKeyPrefix, key);
            Base64.EncodeToUtf8(raw.AsSpan(0, length), key.AsSpan(prefix), out _, out var written);
            return SecretValue.FromUtf8(key.AsSpan(0, prefix + written));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
            ArrayPool<byte>.Shared.Return(raw);
            if (key is not null)
            {
                CryptographicOperations.ZeroMemory(key);
                ArrayPool<byte>.Shared.Return(key);
            }
        }
    }

    /// <summary>A name for the key that identifies it without revealing it: when it was signed and a digest of its value.</summary>
    internal static string IdOf(SecretValue key, DateTimeOffset signedAt)
    {
        var digest = key.UseBytes(0, static (bytes, _) => Convert.ToHexString(SHA256.HashData(bytes).AsSpan(0, 6)).ToLowerInvariant());
        return string.Create(CultureInfo.InvariantCulture, $"short-term-{signedAt.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{digest}");
    }
}
