using System.Net;
using System.Security.Cryptography;
using System.Text;
using IronCage.Providers.AwsBedrock;
using RichardSzalay.MockHttp;

namespace IronCage.Providers.AwsBedrock.Tests;

public sealed class AwsBedrockProviderAdapterTests
{
    private const string Iam = "https://iam.amazonaws.com/";
    private const string AccessKey = "AKIDEXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string BedrockSecret = "ABSKQmVkcm9ja0FQSUtleS1zZWNyZXQtdmFsdWUtZm9yLXRlc3Rz";

    private static ProviderKeyContext Context => new()
    {
        Key = new KeyReference(ProviderId.AwsBedrock, "prod"),
        Scope = new Dictionary<string, string> { [AwsBedrockConstants.UserNameScopeKey] = "bedrock-user" },
    };

    [Fact]
    public void SigningKey_MatchesAwsPublishedDerivationExample()
    {
        // AWS's published example of deriving a SigV4 signing key (IAM user guide, "Create a signed AWS API request").
        var key = SigningKey(SecretKey, "20120215", "us-east-1", "iam");

        Convert.ToHexString(key).ToLowerInvariant().Should().Be("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
    }

    [Fact]
    public async Task Create_SignsWithSigV4_PostsTheFormBody_AndReadsTheSecretOnlyFromServiceCredentialSecret()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Post, Iam).WithFormData([new("Action", "ListServiceSpecificCredentials"), new("Version", "2010-05-08"), new("UserName", "bedrock-user"), new("ServiceName", "bedrock.amazonaws.com")])
            .Respond("text/xml", File.ReadAllText("TestData/ListPage2.xml"));
        HttpRequestMessage? captured = null;
        string? capturedBody = null;
        handler.Expect(HttpMethod.Post, Iam)
            .WithFormData([new("Action", "CreateServiceSpecificCredential"), new("Version", "2010-05-08"), new("UserName", "bedrock-user"), new("ServiceName", "bedrock.amazonaws.com"), new("CredentialAgeDays", "30")])
            .With(r => r.Content!.Headers.ContentType!.ToString() == "application/x-www-form-urlencoded; charset=utf-8")
            .Respond(request =>
            {
                captured = request;
                capturedBody = request.Content!.ReadAsStringAsync().Result;
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(File.ReadAllText("TestData/CreateServiceSpecificCredential.xml")) };
            });
        using var host = Host(handler);

        using var created = await host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = "ironcage-prod-1", ExpiresAt = host.Clock.GetCurrentInstant() + NodaTime.Duration.FromDays(30) });

        handler.VerifyNoOutstandingExpectation();
        created.ProviderKeyId.Should().Be("ACCAQFODXMPL4YFHP7DZE");
        created.Name.Should().Be("bedrock-user-at-123456789012");
        created.Secret.Matches(BedrockSecret).Should().BeTrue();
        created.ExpiresAt.Should().Be(NodaTime.Instant.FromUtc(2026, 12, 1, 9, 0));

        // The signature is checked against an independent SigV4 computation from the spec (canonical request, string
        // to sign, signing key), over the exact request that was sent.
        var amzDate = captured!.Headers.GetValues("X-Amz-Date").Single();
        amzDate.Should().MatchRegex(@"^\d{8}T\d{6}Z$");
        var authorization = captured.Headers.GetValues("Authorization").Single();
        authorization.Should().StartWith($"AWS4-HMAC-SHA256 Credential={AccessKey}/{amzDate[..8]}/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=");
        var payloadHash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(capturedBody!))).ToLowerInvariant();
        captured.Headers.GetValues("X-Amz-Content-SHA256").Single().Should().Be(payloadHash);
        var canonical = $"POST\n/\n\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\nx-amz-content-sha256:{payloadHash}\nx-amz-date:{amzDate}\n\ncontent-type;host;x-amz-content-sha256;x-amz-date\n{payloadHash}";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{amzDate[..8]}/us-east-1/iam/aws4_request\n{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))).ToLowerInvariant()}";
        var expected = Convert.ToHexString(HMACSHA256.HashData(SigningKey(SecretKey, amzDate[..8], "us-east-1", "iam"), Encoding.UTF8.GetBytes(stringToSign))).ToLowerInvariant();
        authorization.Should().EndWith("Signature=" + expected);
        host.ShouldNotLeak([BedrockSecret, SecretKey]);
    }

    [Fact]
    public async Task Create_WithTwoCredentials_DeletesTheInactiveLeftoverFirst_AndPagesTheList()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Post, Iam).WithFormData("Action", "ListServiceSpecificCredentials").Respond("text/xml", File.ReadAllText("TestData/ListPage1.xml"));
        handler.Expect(HttpMethod.Post, Iam).WithFormData([new("Action", "ListServiceSpecificCredentials"), new("Marker", "page-2-marker")]).Respond("text/xml", File.ReadAllText("TestData/ListPage2.xml"));
        handler.Expect(HttpMethod.Post, Iam).WithFormData([new("Action", "DeleteServiceSpecificCredential"), new("ServiceSpecificCredentialId", "ACCAOLDINACTIVE000001"), new("UserName", "bedrock-user")]).Respond("text/xml", File.ReadAllText("TestData/Empty.xml"));
        handler.Expect(HttpMethod.Post, Iam).WithFormData("Action", "CreateServiceSpecificCredential").Respond("text/xml", File.ReadAllText("TestData/CreateServiceSpecificCredential.xml"));
        using var host = Host(handler);

        using var created = await host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = "ironcage-prod-2" });

        handler.VerifyNoOutstandingExpectation();
        created.ProviderKeyId.Should().Be("ACCAQFODXMPL4YFHP7DZE");
    }

    [Fact]
    public async Task Create_WithTwoActiveCredentials_NeverDeletesOne_AndReportsTheLimit()
    {
        var handler = new MockHttpMessageHandler();
        var twoActive = File.ReadAllText("TestData/ListPage2.xml").Replace("</ServiceSpecificCredentials>", "<member><ServiceName>bedrock.amazonaws.com</ServiceName><ServiceSpecificCredentialId>ACCASECONDACTIVE00003</ServiceSpecificCredentialId><UserName>bedrock-user</UserName><Status>Active</Status></member></ServiceSpecificCredentials>");
        handler.Expect(HttpMethod.Post, Iam).WithFormData("Action", "ListServiceSpecificCredentials").Respond("text/xml", twoActive);
        using var host = Host(handler);

        var thrown = (await FluentActions.Awaiting(() => host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = "n" })).Should().ThrowAsync<ProviderRequestException>()).Which;

        handler.VerifyNoOutstandingExpectation();
        thrown.Kind.Should().Be(ProviderErrorKind.Conflict);
        thrown.ProviderErrorCode.Should().Be("LimitExceeded");
    }

    [Fact]
    public async Task Create_LimitExceededFromIam_IsClassifiedConflictWithRequestId()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Post, Iam).WithFormData("Action", "ListServiceSpecificCredentials").Respond("text/xml", File.ReadAllText("TestData/ListPage2.xml"));
        handler.Expect(HttpMethod.Post, Iam).WithFormData("Action", "CreateServiceSpecificCredential").Respond(HttpStatusCode.Conflict, "text/xml", File.ReadAllText("TestData/LimitExceeded.xml"));
        using var host = Host(handler);

        var thrown = (await FluentActions.Awaiting(() => host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = "n" })).Should().ThrowAsync<ProviderRequestException>()).Which;

        thrown.Kind.Should().Be(ProviderErrorKind.Conflict);
        thrown.StatusCode.Should().Be(409);
        thrown.ProviderErrorCode.Should().Be("LimitExceeded");
        thrown.RequestId.Should().Be("req-limit");
        thrown.Message.Should().Contain("two Bedrock API keys");
    }

    [Fact]
    public async Task Deactivate_UpdatesStatusToInactive_AndDeleteOfAMissingCredentialSucceeds()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Post, Iam).WithFormData([new("Action", "UpdateServiceSpecificCredential"), new("ServiceSpecificCredentialId", "ACCA1"), new("Status", "Inactive"), new("UserName", "bedrock-user")]).Respond("text/xml", File.ReadAllText("TestData/Empty.xml"));
        handler.Expect(HttpMethod.Post, Iam).WithFormData("Action", "DeleteServiceSpecificCredential").Respond(HttpStatusCode.NotFound, "text/xml", "<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>not found</Message></Error><RequestId>r</RequestId></ErrorResponse>");
        using var host = Host(handler);

        await host.Adapter.DeactivateKeyAsync(Context, "ACCA1");
        await host.Adapter.DeleteKeyAsync(Context, "ACCA1");

        handler.VerifyNoOutstandingExpectation();
    }

    private static CloudProviderTestHost Host(MockHttpMessageHandler handler) => new(
        b => b.AddAwsBedrock("aws", o =>
        {
            o.AccessKeyId = AccessKey;
            o.SecretAccessKey = SecretKey;
            o.RetryDelay = TimeSpan.FromMilliseconds(1);
        }),
        AwsBedrockConstants.HttpClientName,
        handler);

    private static byte[] SigningKey(string secret, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8.ToArray());
    }
}
