using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;

namespace IronCage.Testing.Emulator.Tests.Cloud;

/// <summary>Builds IAM Query API requests signed with SigV4 (host;x-amz-date), as an AWS SDK would, to talk to <see cref="AwsIamEmulator"/> on the wire.</summary>
internal static class IamRequests
{
    public static readonly XNamespace Ns = "https://iam.amazonaws.com/doc/2010-05-08/";

    public static HttpRequestMessage Signed(AwsIamEmulator iam, string form, DateTimeOffset now, string? secretAccessKey = null, string service = "iam")
    {
        var body = form + "&Version=2010-05-08";
        var request = new HttpRequestMessage(HttpMethod.Post, iam.BaseAddress)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var host = iam.BaseAddress.Authority;
        request.Headers.Host = host;
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        var canonical = $"POST\n/\n\nhost:{host}\nx-amz-date:{amzDate}\n\nhost;x-amz-date\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(body)))}";
        var scope = $"{date}/us-east-1/{service}/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + (secretAccessKey ?? iam.SecretAccessKey));
        foreach (var part in scope.Split('/'))
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        var signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={iam.AccessKeyId}/{scope}, SignedHeaders=host;x-amz-date, Signature={signature}");
        return request;
    }

    public static async Task<(int Status, XElement Xml)> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await http.SendAsync(request);
            return ((int)response.StatusCode, XElement.Parse(await response.Content.ReadAsStringAsync()));
        }
    }

    public static string? Code(XElement error) => error.Element(Ns + "Error")?.Element(Ns + "Code")?.Value;

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
