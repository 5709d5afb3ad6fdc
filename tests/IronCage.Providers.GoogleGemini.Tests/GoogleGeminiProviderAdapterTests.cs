using System.Net;
using System.Text.Json.Nodes;
using IronCage.Providers.GoogleGemini;
using RichardSzalay.MockHttp;

namespace IronCage.Providers.GoogleGemini.Tests;

public sealed class GoogleGeminiProviderAdapterTests
{
    private const string Api = "https://apikeys.googleapis.com/v2/";
    private const string Parent = "projects/123456789/locations/global";
    private const string Token = "ya29.test-token";
    private const string KeyString = "AIzaSyD-test0key0string0value0abcdefghi";

    private static ProviderKeyContext Context => new()
    {
        Key = new KeyReference(ProviderId.GoogleGemini, "prod"),
        Scope = new Dictionary<string, string> { [GoogleGeminiConstants.ProjectScopeKey] = "123456789", [GoogleGeminiConstants.TemplateKeyScopeKey] = "gemini-prod-original" },
    };

    [Fact]
    public async Task Create_CopiesTheTemplateRestrictions_PollsTheOperation_AndReadsTheKeyString()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys").WithQueryString("pageSize", "300").WithHeaders("Authorization", "Bearer " + Token).Respond("application/json", """{"keys":[]}""");
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys/gemini-prod-original").Respond("application/json", JsonNode.Parse(File.ReadAllText("TestData/TemplateKey.json"))!["keys"]![0]!.ToJsonString());
        string? sent = null;
        handler.Expect(HttpMethod.Post, Api + Parent + "/keys").WithExactQueryString("keyId=ironcage-prod-1700000000-abcd1234").Respond(request =>
        {
            sent = request.Content!.ReadAsStringAsync().Result;
            return Json(HttpStatusCode.OK, """{"name":"operations/akmf.p7-1","done":false}""");
        });
        handler.Expect(HttpMethod.Get, Api + "operations/akmf.p7-1").Respond("application/json", """{"name":"operations/akmf.p7-1","done":false}""");
        handler.Expect(HttpMethod.Get, Api + "operations/akmf.p7-1").Respond("application/json", $$$"""{"name":"operations/akmf.p7-1","done":true,"response":{"@type":"type.googleapis.com/google.api.apikeys.v2.Key","name":"{{{Parent}}}/keys/ironcage-prod-1700000000-abcd1234","displayName":"ironcage-prod-1700000000-abcd1234"}}""");
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys/ironcage-prod-1700000000-abcd1234/keyString").Respond("application/json", $$"""{"keyString":"{{KeyString}}"}""");
        using var host = Host(handler);

        using var created = await host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = "ironcage-prod-1700000000-abcd1234" });

        handler.VerifyNoOutstandingExpectation();
        created.ProviderKeyId.Should().Be("ironcage-prod-1700000000-abcd1234");
        created.Secret.Matches(KeyString).Should().BeTrue();
        var body = JsonNode.Parse(sent!)!;
        body["displayName"]!.GetValue<string>().Should().Be("ironcage-prod-1700000000-abcd1234");
        body["restrictions"]!["serverKeyRestrictions"]!["allowedIps"]![0]!.GetValue<string>().Should().Be("203.0.113.0/24");
        body["restrictions"]!["apiTargets"]![0]!["service"]!.GetValue<string>().Should().Be("generativelanguage.googleapis.com");
        body["annotations"]![GoogleGeminiConstants.ManagedKeyAnnotation]!.GetValue<string>().Should().Be(Context.Key.ToString());
        host.ShouldNotLeak([KeyString, Token]);
    }

    [Fact]
    public async Task Create_OperationFinishesWithAnError_ThrowsClassified()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys").Respond("application/json", """{"keys":[]}""");
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys/gemini-prod-original").Respond(HttpStatusCode.NotFound, "application/json", """{"error":{"code":404,"message":"not found","status":"NOT_FOUND"}}""");
        handler.Expect(HttpMethod.Post, Api + Parent + "/keys").Respond("application/json", """{"name":"operations/akmf.p7-1234","done":false}""");
        handler.Expect(HttpMethod.Get, Api + "operations/akmf.p7-1234").Respond("application/json", File.ReadAllText("TestData/OperationError.json"));
        using var host = Host(handler);

        var thrown = (await FluentActions.Awaiting(() => host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = "ironcage-prod-2" })).Should().ThrowAsync<ProviderRequestException>()).Which;

        handler.VerifyNoOutstandingExpectation();
        thrown.Kind.Should().Be(ProviderErrorKind.Forbidden);
        thrown.ProviderErrorCode.Should().Be("PERMISSION_DENIED");
        thrown.Message.Should().Contain("apikeys.keys.create");
    }

    [Fact]
    public async Task Delete_ReadsTheEtagAndSendsIt_ThenUndeleteRestores()
    {
        var handler = new MockHttpMessageHandler();
        var key = JsonNode.Parse(File.ReadAllText("TestData/TemplateKey.json"))!["keys"]![0]!.ToJsonString();
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys/gemini-prod-original").Respond("application/json", key);
        handler.Expect(HttpMethod.Delete, Api + Parent + "/keys/gemini-prod-original").WithExactQueryString("etag=W%2F%22abc123%22").Respond("application/json", """{"name":"operations/d1","done":true,"response":{}}""");
        handler.Expect(HttpMethod.Post, Api + Parent + "/keys/gemini-prod-original:undelete").WithContent("{}").Respond("application/json", """{"name":"operations/u1","done":true,"response":{}}""");
        using var host = Host(handler);

        await host.Adapter.DeleteKeyAsync(Context, "gemini-prod-original");
        await host.Adapter.UndeleteKeyAsync(Context, "gemini-prod-original");

        handler.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task Verify_InvalidKey_Is400ApiKeyInvalid()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Get, "https://generativelanguage.googleapis.com/v1beta/models").WithHeaders("x-goog-api-key", KeyString)
            .Respond(HttpStatusCode.BadRequest, "application/json", """{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com","metadata":{"service":"generativelanguage.googleapis.com"}}]}}""");
        using var host = Host(handler);
        using var key = SecretValue.FromString(KeyString);

        var result = await host.Adapter.VerifyAsync(Context, key);

        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        result.ProviderErrorCode.Should().Be("API_KEY_INVALID");
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string json) => new(status) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };

    private static CloudProviderTestHost Host(MockHttpMessageHandler handler) => new(
        b => b.AddGoogleGemini("google", o =>
        {
            o.AccessToken = Token;
            o.PollInterval = TimeSpan.FromMilliseconds(1);
            o.MaxPollInterval = TimeSpan.FromMilliseconds(5);
            o.RetryDelay = TimeSpan.FromMilliseconds(1);
        }),
        GoogleGeminiConstants.HttpClientName,
        handler);
}
