using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace IronCage.Testing.Emulator.Tests.Cloud;

/// <summary>The IAM emulator on the wire: SigV4 checked, Query API XML answers and errors, Bedrock's bearer check.</summary>
public sealed class AwsIamEmulatorWireTests
{
    private const string Create = "Action=CreateServiceSpecificCredential&UserName=bedrock-user&ServiceName=bedrock.amazonaws.com";
    private static readonly HttpClient Http = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Iam_WrongSignature_Answers403SignatureDoesNotMatch()
    {
        await using var iam = await AwsIamEmulator.StartAsync(_time);

        var (status, xml) = await IamRequests.SendAsync(Http, IamRequests.Signed(iam, Create, _time.GetUtcNow(), secretAccessKey: "not-the-secret"));

        status.Should().Be(403);
        xml.Name.LocalName.Should().Be("ErrorResponse");
        IamRequests.Code(xml).Should().Be("SignatureDoesNotMatch");
        iam.Credentials.Should().BeEmpty();
    }

    [Fact]
    public async Task Iam_Unsigned_Answers403MissingAuthenticationToken()
    {
        await using var iam = await AwsIamEmulator.StartAsync(_time);
        using var request = new HttpRequestMessage(HttpMethod.Post, iam.BaseAddress) { Content = new StringContent(Create + "&Version=2010-05-08", Encoding.UTF8, "application/x-www-form-urlencoded") };

        var (status, xml) = await IamRequests.SendAsync(Http, request);

        status.Should().Be(403);
        IamRequests.Code(xml).Should().Be("MissingAuthenticationToken");
    }

    [Fact]
    public async Task Iam_SignedForAnotherService_Answers403SignatureDoesNotMatch()
    {
        await using var iam = await AwsIamEmulator.StartAsync(_time);

        var (status, xml) = await IamRequests.SendAsync(Http, IamRequests.Signed(iam, Create, _time.GetUtcNow(), service: "sts"));

        status.Should().Be(403);
        IamRequests.Code(xml).Should().Be("SignatureDoesNotMatch");
    }

    [Fact]
    public async Task Iam_StaleSignature_Answers403SignatureDoesNotMatch()
    {
        await using var iam = await AwsIamEmulator.StartAsync(_time);

        var (status, xml) = await IamRequests.SendAsync(Http, IamRequests.Signed(iam, Create, _time.GetUtcNow().AddMinutes(-6)));

        status.Should().Be(403);
        IamRequests.Code(xml).Should().Be("SignatureDoesNotMatch");
    }

    [Fact]
    public async Task Create_ReturnsTheSecretOnce_AndListOmitsIt()
    {
        await using var iam = await AwsIamEmulator.StartAsync(_time);
        var ns = IamRequests.Ns;

        var (status, created) = await IamRequests.SendAsync(Http, IamRequests.Signed(iam, Create + "&CredentialAgeDays=30", _time.GetUtcNow()));
        var (_, listed) = await IamRequests.SendAsync(Http, IamRequests.Signed(iam, "Action=ListServiceSpecificCredentials&UserName=bedrock-user&ServiceName=bedrock.amazonaws.com", _time.GetUtcNow()));

        status.Should().Be(200);
        created.Name.Should().Be(ns + "CreateServiceSpecificCredentialResponse");
        var credential = created.Element(ns + "CreateServiceSpecificCredentialResult")!.Element(ns + "ServiceSpecificCredential")!;
        credential.Element(ns + "ServiceCredentialSecret")!.Value.Should().Be(iam.Credentials.Single().Secret).And.StartWith("ABSK");
        credential.Element(ns + "ServiceCredentialAlias")!.Value.Should().Be($"bedrock-user+1-at-{iam.AccountId}");
        credential.Element(ns + "Status")!.Value.Should().Be("Active");
        credential.Element(ns + "ExpirationDate")!.Value.Should().Be("2026-12-01T09:00:00Z");
        created.Element(ns + "ResponseMetadata")!.Element(ns + "RequestId").Should().NotBeNull();
        var member = listed.Element(ns + "ListServiceSpecificCredentialsResult")!.Element(ns + "ServiceSpecificCredentials")!.Element(ns + "member")!;
        member.Element(ns + "ServiceSpecificCredentialId")!.Value.Should().Be(iam.Credentials.Single().Id);
        member.Element(ns + "ServiceCredentialSecret").Should().BeNull();
        listed.ToString().Should().NotContain(iam.Credentials.Single().Secret);
    }

    [Fact]
    public async Task Create_ThirdForTheSameServiceAndUser_Answers409LimitExceeded()
    {
        await using var iam = await AwsIamEmulator.StartAsync(_time);
        iam.Seed();
        iam.Seed();

        var (status, xml) = await IamRequests.SendAsync(Http, IamRequests.Signed(iam, Create, _time.GetUtcNow()));

        status.Should().Be(409);
        IamRequests.Code(xml).Should().Be("LimitExceeded");
        iam.Credentials.Should().HaveCount(2);
    }

    [Fact]
    public async Task Create_UnknownUser_Answers404NoSuchEntity()
    {
        await using var iam = await AwsIamEmulator.StartAsync(_time);

        var (status, xml) = await IamRequests.SendAsync(Http, IamRequests.Signed(iam, "Action=CreateServiceSpecificCredential&UserName=nobody&ServiceName=bedrock.amazonaws.com", _time.GetUtcNow()));

        status.Should().Be(404);
        IamRequests.Code(xml).Should().Be("NoSuchEntity");
    }

    [Fact]
    public async Task List_WithMaxItems_PagesWithMarker()
    {
        await using var iam = await AwsIamEmulator.StartAsync(_time);
        var first = iam.Seed();
        var second = iam.Seed();
        var ns = IamRequests.Ns;

        var (_, page1) = await IamRequests.SendAsync(Http, IamRequests.Signed(iam, "Action=ListServiceSpecificCredentials&UserName=bedrock-user&MaxItems=1", _time.GetUtcNow()));
        var result1 = page1.Element(ns + "ListServiceSpecificCredentialsResult")!;
        var (_, page2) = await IamRequests.SendAsync(Http, IamRequests.Signed(iam, "Action=ListServiceSpecificCredentials&UserName=bedrock-user&MaxItems=1&Marker=" + result1.Element(ns + "Marker")!.Value, _time.GetUtcNow()));
        var result2 = page2.Element(ns + "ListServiceSpecificCredentialsResult")!;

        result1.Element(ns + "IsTruncated")!.Value.Should().Be("true");
        result1.Descendants(ns + "ServiceSpecificCredentialId").Single().Value.Should().Be(first.Id);
        result2.Element(ns + "IsTruncated")!.Value.Should().Be("false");
        result2.Element(ns + "Marker").Should().BeNull();
        result2.Descendants(ns + "ServiceSpecificCredentialId").Single().Value.Should().Be(second.Id);
    }

    [Fact]
    public async Task Bedrock_ActiveKey_Answers200_InactiveOrUnknownAnswers403UnrecognizedClient()
    {
        await using var iam = await AwsIamEmulator.StartAsync(_time);
        var credential = iam.Seed();

        var live = await BedrockStatusAsync(iam, credential.Secret);
        await IamRequests.SendAsync(Http, IamRequests.Signed(iam, $"Action=UpdateServiceSpecificCredential&UserName=bedrock-user&ServiceSpecificCredentialId={credential.Id}&Status=Inactive", _time.GetUtcNow()));
        var inactive = await BedrockStatusAsync(iam, credential.Secret);
        var unknown = await BedrockStatusAsync(iam, "ABSKnot-a-key");

        live.Should().Be(HttpStatusCode.OK);
        inactive.Should().Be(HttpStatusCode.Forbidden);
        unknown.Should().Be(HttpStatusCode.Forbidden);
        iam.Credentials.Single().Status.Should().Be("Inactive");
    }

    [Fact]
    public async Task Bedrock_RefusedKey_AnswersBedrocksErrorBody()
    {
        await using var iam = await AwsIamEmulator.StartAsync(_time);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(iam.BedrockBaseAddress, "model/anthropic.claude-3-haiku-20240307-v1:0/converse")) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "ABSKnot-a-key");

        using var response = await Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        response.Headers.GetValues("x-amzn-ErrorType").Single().Should().StartWith("UnrecognizedClientException");
        (await response.Content.ReadAsStringAsync()).Should().Be("{\"message\":\"The security token included in the request is invalid.\"}");
    }

    [Fact]
    public async Task Credential_PastItsAge_IsExpiredAndRefusedByBedrock()
    {
        await using var iam = await AwsIamEmulator.StartAsync(_time);
        await IamRequests.SendAsync(Http, IamRequests.Signed(iam, Create + "&CredentialAgeDays=1", _time.GetUtcNow()));
        var secret = iam.Credentials.Single().Secret;

        _time.Advance(TimeSpan.FromDays(1));

        iam.Credentials.Single().Status.Should().Be("Expired");
        (await BedrockStatusAsync(iam, secret)).Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Reset_IssuesANewSecret_AndBedrockRefusesTheOldOne()
    {
        await using var iam = await AwsIamEmulator.StartAsync(_time);
        var credential = iam.Seed();

        var (status, xml) = await IamRequests.SendAsync(Http, IamRequests.Signed(iam, $"Action=ResetServiceSpecificCredential&UserName=bedrock-user&ServiceSpecificCredentialId={credential.Id}", _time.GetUtcNow()));

        status.Should().Be(200);
        var secret = xml.Descendants(IamRequests.Ns + "ServiceCredentialSecret").Single().Value;
        secret.Should().NotBe(credential.Secret);
        (await BedrockStatusAsync(iam, credential.Secret)).Should().Be(HttpStatusCode.Forbidden);
        (await BedrockStatusAsync(iam, secret)).Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Delete_Twice_AnswersNoSuchEntityTheSecondTime()
    {
        await using var iam = await AwsIamEmulator.StartAsync(_time);
        var credential = iam.Seed();
        var form = $"Action=DeleteServiceSpecificCredential&UserName=bedrock-user&ServiceSpecificCredentialId={credential.Id}";

        var (first, _) = await IamRequests.SendAsync(Http, IamRequests.Signed(iam, form, _time.GetUtcNow()));
        var (second, xml) = await IamRequests.SendAsync(Http, IamRequests.Signed(iam, form, _time.GetUtcNow()));

        first.Should().Be(200);
        second.Should().Be(404);
        IamRequests.Code(xml).Should().Be("NoSuchEntity");
        iam.Credentials.Should().BeEmpty();
        iam.Actions.Should().Equal("DeleteServiceSpecificCredential", "DeleteServiceSpecificCredential");
    }

    private static async Task<HttpStatusCode> BedrockStatusAsync(AwsIamEmulator iam, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(iam.BedrockBaseAddress, "foundation-models"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await Http.SendAsync(request);
        return response.StatusCode;
    }
}
