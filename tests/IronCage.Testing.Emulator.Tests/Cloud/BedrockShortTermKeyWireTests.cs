using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace IronCage.Testing.Emulator.Tests.Cloud;

/// <summary>
/// The emulated Bedrock endpoint's check of Amazon Bedrock short-term API keys: <c>bedrock-api-key-</c> + base64 of a
/// SigV4 query-string pre-signature of <c>POST bedrock.amazonaws.com/?Action=CallWithBearerToken</c> with <c>&amp;Version=1</c>,
/// built here from the SigV4 rules (independently of AWSSDK and of the emulator's own code).
/// </summary>
public sealed class BedrockShortTermKeyWireTests
{
    private static readonly HttpClient Http = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Bedrock_KeySignedWithTheEmulatorsAccessKey_Answers200UntilItsExpiry_Then403ExpiredToken()
    {
        await using var iam = await AwsIamEmulator.StartAsync(_time);
        var key = Token(iam.AccessKeyId, iam.SecretAccessKey, iam.BedrockRegion, _time.GetUtcNow(), expiresSeconds: 3600);

        (await StatusAsync(iam, key)).Should().Be((HttpStatusCode.OK, null));
        _time.Advance(TimeSpan.FromSeconds(3599));
        (await StatusAsync(iam, key)).Status.Should().Be(HttpStatusCode.OK);
        _time.Advance(TimeSpan.FromSeconds(1));
        (await StatusAsync(iam, key)).Should().Be((HttpStatusCode.Forbidden, "ExpiredTokenException"), "X-Amz-Date + X-Amz-Expires has passed");
        iam.RefusedShortTermKeys.Should().Be(1);
    }

    [Fact]
    public async Task Bedrock_TemporaryCredentials_AcceptedWithTheirSessionToken_UntilTheSessionEnds()
    {
        await using var iam = await AwsIamEmulator.StartAsync(_time);
        var session = iam.IssueTemporaryCredentials(TimeSpan.FromMinutes(30));
        var key = Token(session.AccessKeyId, session.SecretAccessKey, iam.BedrockRegion, _time.GetUtcNow(), expiresSeconds: 43200, session.SessionToken);
        var withoutToken = Token(session.AccessKeyId, session.SecretAccessKey, iam.BedrockRegion, _time.GetUtcNow(), expiresSeconds: 43200);

        (await StatusAsync(iam, key)).Status.Should().Be(HttpStatusCode.OK);
        (await StatusAsync(iam, withoutToken)).Should().Be((HttpStatusCode.Forbidden, "UnrecognizedClientException"), "temporary credentials need their session token");
        _time.Advance(TimeSpan.FromMinutes(30));
        (await StatusAsync(iam, key)).Should().Be((HttpStatusCode.Forbidden, "ExpiredTokenException"), "the session that signed the key has ended");
    }

    [Theory]
    [InlineData("wrong-secret")]
    [InlineData("wrong-region")]
    [InlineData("unknown-access-key")]
    [InlineData("over-12-hours")]
    [InlineData("tampered")]
    [InlineData("no-version")]
    public async Task Bedrock_BadKey_Answers403UnrecognizedClient(string flaw)
    {
        await using var iam = await AwsIamEmulator.StartAsync(_time);
        var now = _time.GetUtcNow();
        var key = flaw switch
        {
            "wrong-secret" => Token(iam.AccessKeyId, "not-the-secret", iam.BedrockRegion, now, 3600),
            "wrong-region" => Token(iam.AccessKeyId, iam.SecretAccessKey, "eu-west-1", now, 3600),
            "unknown-access-key" => Token("AKIAUNKNOWN000000000", iam.SecretAccessKey, iam.BedrockRegion, now, 3600),
            "over-12-hours" => Token(iam.AccessKeyId, iam.SecretAccessKey, iam.BedrockRegion, now, 43201),
            "tampered" => Tamper(Token(iam.AccessKeyId, iam.SecretAccessKey, iam.BedrockRegion, now, 3600)),
            _ => "bedrock-api-key-" + Convert.ToBase64String(Encoding.UTF8.GetBytes(Url(iam.AccessKeyId, iam.SecretAccessKey, iam.BedrockRegion, now, 3600, null))),
        };

        (await StatusAsync(iam, key)).Should().Be((HttpStatusCode.Forbidden, "UnrecognizedClientException"));
        iam.RefusedShortTermKeys.Should().Be(1);
    }

    private static string Token(string accessKeyId, string secret, string region, DateTimeOffset signedAt, int expiresSeconds, string? sessionToken = null)
        => "bedrock-api-key-" + Convert.ToBase64String(Encoding.UTF8.GetBytes(Url(accessKeyId, secret, region, signedAt, expiresSeconds, sessionToken) + "&Version=1"));

    // Moves the X-Amz-Expires value after signing: the signature no longer covers the query.
    private static string Tamper(string token)
    {
        var url = Encoding.UTF8.GetString(Convert.FromBase64String(token["bedrock-api-key-".Length..])).Replace("X-Amz-Expires=3600", "X-Amz-Expires=3601", StringComparison.Ordinal);
        return "bedrock-api-key-" + Convert.ToBase64String(Encoding.UTF8.GetBytes(url));
    }

    private static string Url(string accessKeyId, string secret, string region, DateTimeOffset signedAt, int expiresSeconds, string? sessionToken)
    {
        var amzDate = signedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var scope = $"{amzDate[..8]}/{region}/bedrock/aws4_request";
        var query = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["Action"] = "CallWithBearerToken",
            ["X-Amz-Algorithm"] = "AWS4-HMAC-SHA256",
            ["X-Amz-Credential"] = $"{accessKeyId}/{scope}",
            ["X-Amz-Date"] = amzDate,
            ["X-Amz-Expires"] = expiresSeconds.ToString(CultureInfo.InvariantCulture),
            ["X-Amz-SignedHeaders"] = "host",
        };
        if (sessionToken is not null)
        {
            query["X-Amz-Security-Token"] = sessionToken;
        }

        var canonicalQuery = string.Join('&', query.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        var canonical = $"POST\n/\n{canonicalQuery}\nhost:bedrock.amazonaws.com\n\nhost\n{Hex(SHA256.HashData([]))}";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + secret);
        foreach (var part in scope.Split('/'))
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        return $"bedrock.amazonaws.com/?{canonicalQuery}&X-Amz-Signature={Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)))}";
    }

    private static async Task<(HttpStatusCode Status, string? ErrorType)> StatusAsync(AwsIamEmulator iam, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(iam.BedrockBaseAddress, "foundation-models"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await Http.SendAsync(request);
        var type = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.Single().Split(':')[0] : null;
        return (response.StatusCode, type);
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
