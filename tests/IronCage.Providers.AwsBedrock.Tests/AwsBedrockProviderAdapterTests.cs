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

    [Fact]
    public async Task List_ThrottlingAnswer_IsRetriedThenSucceeds()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Post, Iam).WithFormData("Action", "ListServiceSpecificCredentials").Respond(HttpStatusCode.BadRequest, "text/xml", File.ReadAllText("TestData/Throttling.xml"));
        handler.Expect(HttpMethod.Post, Iam).WithFormData("Action", "ListServiceSpecificCredentials").Respond("text/xml", File.ReadAllText("TestData/ListPage2.xml"));
        using var host = Host(handler);

        var info = await host.Adapter.GetKeyAsync(Context, "ACCACURRENTACTIVE0002");

        handler.VerifyNoOutstandingExpectation();
        info!.Status.Should().Be(ProviderKeyStatus.Active);
        info.Name.Should().Be("bedrock-user-at-current");
        info.CreatedAt.Should().Be(NodaTime.Instant.FromUtc(2026, 10, 1, 9, 0));
        info.ExpiresAt.Should().Be(NodaTime.Instant.FromUtc(2027, 10, 1, 9, 0));
        host.Logs.Lines.Should().Contain(l => l.Contains("400", StringComparison.Ordinal), "the retry is logged");
    }

    [Fact]
    public async Task List_ThrottlingThatPersists_IsRateLimitedWithCodeAndRequestId()
    {
        var handler = new MockHttpMessageHandler();
        var calls = 0;
        handler.When(HttpMethod.Post, Iam).Respond(_ =>
        {
            calls++;
            return new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent(File.ReadAllText("TestData/Throttling.xml"), Encoding.UTF8, "text/xml") };
        });
        using var host = Host(handler, o => o.MaxRetries = 2);

        var thrown = (await FluentActions.Awaiting(() => host.Adapter.GetKeyAsync(Context, "ACCA1")).Should().ThrowAsync<ProviderRequestException>()).Which;

        calls.Should().Be(3, "the first call and two retries");
        thrown.Kind.Should().Be(ProviderErrorKind.RateLimited);
        thrown.StatusCode.Should().Be(400);
        thrown.ProviderErrorCode.Should().Be("Throttling");
        thrown.RequestId.Should().Be("req-throttled");
        thrown.Message.Should().Contain("Rate exceeded");
    }

    [Fact]
    public async Task List_NoSuchEntityErrorResponse_IsNotFoundNamingTheScopeEntry()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Post, Iam).WithFormData([new("Action", "ListServiceSpecificCredentials"), new("UserName", "bedrock-user")]).Respond(HttpStatusCode.NotFound, "text/xml", File.ReadAllText("TestData/NoSuchEntity.xml"));
        using var host = Host(handler);

        var thrown = (await FluentActions.Awaiting(() => host.Adapter.GetKeyAsync(Context, "ACCA1")).Should().ThrowAsync<ProviderRequestException>()).Which;

        handler.VerifyNoOutstandingExpectation();
        thrown.Kind.Should().Be(ProviderErrorKind.NotFound);
        thrown.StatusCode.Should().Be(404);
        thrown.ProviderErrorCode.Should().Be("NoSuchEntity");
        thrown.RequestId.Should().Be("req-no-such-entity");
        thrown.Message.Should().Contain("The user with name bedrock-user cannot be found.").And.Contain("'user_name'");
    }

    [Fact]
    public async Task List_AccessDenied_IsForbiddenNamingTheIamActions()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Post, Iam).WithFormData("Action", "ListServiceSpecificCredentials").Respond(HttpStatusCode.Forbidden, "text/xml", File.ReadAllText("TestData/AccessDenied.xml"));
        using var host = Host(handler);

        var thrown = (await FluentActions.Awaiting(() => host.Adapter.ListKeysAsync(Context).ToListAsync().AsTask()).Should().ThrowAsync<ProviderRequestException>()).Which;

        handler.VerifyNoOutstandingExpectation();
        thrown.Kind.Should().Be(ProviderErrorKind.Forbidden);
        thrown.ProviderErrorCode.Should().Be("AccessDenied");
        thrown.Message.Should().Contain("iam:CreateServiceSpecificCredential").And.Contain("iam:DeleteServiceSpecificCredential");
    }

    [Fact]
    public async Task Create_ServerErrorOnce_IsNotRepeated()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Post, Iam).WithFormData("Action", "ListServiceSpecificCredentials").Respond("text/xml", File.ReadAllText("TestData/ListPage2.xml"));
        handler.Expect(HttpMethod.Post, Iam).WithFormData("Action", "CreateServiceSpecificCredential").Respond(HttpStatusCode.InternalServerError, "text/xml", "<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceFailure</Code><Message>Internal failure.</Message></Error><RequestId>req-500</RequestId></ErrorResponse>");
        using var host = Host(handler);

        var thrown = (await FluentActions.Awaiting(() => host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = "n" })).Should().ThrowAsync<ProviderRequestException>()).Which;

        handler.VerifyNoOutstandingExpectation();
        thrown.Kind.Should().Be(ProviderErrorKind.Transient);
        thrown.ProviderErrorCode.Should().Be("ServiceFailure");
        thrown.RequestId.Should().Be("req-500");
    }

    [Fact]
    public async Task Create_ErrorMessageEchoingABase64ShapedKey_NeverPutsTheKeyInTheException()
    {
        // Shaped like an Amazon Bedrock API key: base64, which the opaque-token rule alone misses at '+' and '/'.
        var echoed = "ABSK" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(96));
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Post, Iam).WithFormData("Action", "ListServiceSpecificCredentials").Respond("text/xml", File.ReadAllText("TestData/ListPage2.xml"));
        handler.Expect(HttpMethod.Post, Iam).WithFormData("Action", "CreateServiceSpecificCredential").Respond(HttpStatusCode.Forbidden, "text/xml", $"<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>The credential {echoed} is not authorized to perform iam:CreateServiceSpecificCredential</Message></Error><RequestId>req-403</RequestId></ErrorResponse>");
        using var host = Host(handler);

        var thrown = (await FluentActions.Awaiting(() => host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = "n" })).Should().ThrowAsync<ProviderRequestException>()).Which;

        thrown.Message.Should().Contain("AWS said").And.NotContain(echoed[4..30]);
    }

    [Fact]
    public async Task Verify_SendsTheKeyAsBearerToTheScopedRegionsFoundationModels()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Get, "https://bedrock.eu-west-1.amazonaws.com/foundation-models").WithHeaders("Authorization", "Bearer " + BedrockSecret)
            .Respond("application/json", File.ReadAllText("TestData/FoundationModels.json"));
        handler.Expect(HttpMethod.Get, "https://bedrock.eu-west-1.amazonaws.com/foundation-models").Respond(_ =>
        {
            var refused = new HttpResponseMessage(HttpStatusCode.Forbidden) { Content = new StringContent(File.ReadAllText("TestData/BedrockUnrecognizedClient.json"), Encoding.UTF8, "application/json") };
            refused.Headers.Add("x-amzn-ErrorType", "UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/");
            refused.Headers.Add("x-amzn-RequestId", "req-verify");
            return refused;
        });
        using var host = Host(handler);
        var context = new ProviderKeyContext { Key = Context.Key, Scope = new Dictionary<string, string>(Context.Scope) { [AwsBedrockConstants.RegionScopeKey] = "eu-west-1" } };
        using var key = SecretValue.FromString(BedrockSecret);

        var good = await host.Adapter.VerifyAsync(context, key);
        var bad = await host.Adapter.VerifyAsync(context, key);

        handler.VerifyNoOutstandingExpectation();
        good.IsValid.Should().BeTrue(good.Message);
        bad.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        bad.ProviderErrorCode.Should().Be("UnrecognizedClientException");
        bad.Message.Should().NotContain(BedrockSecret);
    }

    [Fact]
    public async Task Calls_AfterRepeatedServerErrors_OpenTheCircuit_AndSendNothing()
    {
        var handler = new MockHttpMessageHandler();
        var calls = 0;
        handler.When(HttpMethod.Post, Iam).Respond(_ =>
        {
            calls++;
            return new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent("<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceFailure</Code><Message>Internal failure</Message></Error><RequestId>req-500</RequestId></ErrorResponse>", Encoding.UTF8, "text/xml") };
        });
        using var host = Host(handler, o => o.MaxRetries = 0);
        for (var i = 0; i < 5; i++)
        {
            (await FluentActions.Awaiting(() => host.Adapter.GetKeyAsync(Context, "ACCA1")).Should().ThrowAsync<ProviderRequestException>()).Which.Kind.Should().Be(ProviderErrorKind.Transient);
        }

        var sent = calls;
        var thrown = (await FluentActions.Awaiting(() => host.Adapter.GetKeyAsync(Context, "ACCA1")).Should().ThrowAsync<ProviderRequestException>()).Which;

        sent.Should().Be(5);
        calls.Should().Be(sent, "an open circuit sends nothing");
        thrown.Kind.Should().Be(ProviderErrorKind.Transient);
        thrown.Message.Should().Contain("circuit open").And.Contain("'aws'");
        thrown.RetryAfter.Should().BePositive();
    }

    [Fact]
    public void Options_CircuitBreakDurationOutOfRange_StopsStartup()
    {
        using var host = Host(new MockHttpMessageHandler(), o => o.CircuitBreakDuration = TimeSpan.Zero);

        var act = () => host.Get<Microsoft.Extensions.Options.IOptionsMonitor<AwsBedrockProviderOptions>>().Get("aws");

        act.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().Which.Message.Should().Contain("CircuitBreakDuration");
    }

    private static CloudProviderTestHost Host(MockHttpMessageHandler handler, Action<AwsBedrockProviderOptions>? configure = null) => new(
        b => b.AddAwsBedrock("aws", o =>
        {
            o.AccessKeyId = AccessKey;
            o.SecretAccessKey = SecretKey;
            o.RetryDelay = TimeSpan.FromMilliseconds(1);
            configure?.Invoke(o);
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
