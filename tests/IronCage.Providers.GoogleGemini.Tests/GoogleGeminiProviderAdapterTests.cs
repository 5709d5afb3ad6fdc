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
    public async Task Create_OperationErrorEchoingAKey_NeverPutsTheKeyInTheException()
    {
        var echoed = IronCage.Testing.FakeKeys.GenerateText(ProviderId.GoogleGemini);
        var encoded = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(IronCage.Testing.FakeKeys.GenerateText(ProviderId.GoogleGemini)));
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys").Respond("application/json", """{"keys":[]}""");
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys/gemini-prod-original").Respond(HttpStatusCode.NotFound, "application/json", """{"error":{"code":404,"message":"not found","status":"NOT_FOUND"}}""");
        handler.Expect(HttpMethod.Post, Api + Parent + "/keys").Respond("application/json", """{"name":"operations/akmf.p7-1234","done":false}""");
        handler.Expect(HttpMethod.Get, Api + "operations/akmf.p7-1234").Respond("application/json", $$$"""{"name":"operations/akmf.p7-1234","done":true,"error":{"code":7,"message":"Key {{{echoed}}} (token {{{encoded}}}) may not create keys."}}""");
        using var host = Host(handler);

        var thrown = (await FluentActions.Awaiting(() => host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = "ironcage-prod-2" })).Should().ThrowAsync<ProviderRequestException>()).Which;

        thrown.Message.Should().Contain("Google said").And.NotContain(echoed).And.NotContain(encoded).And.NotContain(echoed[4..20]);
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
            .Respond(HttpStatusCode.BadRequest, "application/json", File.ReadAllText("TestData/GeminiApiKeyInvalid.json"));
        using var host = Host(handler);
        using var key = SecretValue.FromString(KeyString);

        var result = await host.Adapter.VerifyAsync(Context, key);

        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        result.ProviderErrorCode.Should().Be("API_KEY_INVALID");
        result.StatusCode.Should().Be(400);
        result.Message.Should().NotContain(KeyString);
    }

    [Fact]
    public async Task List_FollowsNextPageTokenWithTheBearerToken_AndDescribesEachKeyWithoutItsString()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys").WithExactQueryString("pageSize=300").WithHeaders("Authorization", "Bearer " + Token).WithHeaders("Accept", "application/json")
            .Respond("application/json", File.ReadAllText("TestData/ListPage1.json"));
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys").WithExactQueryString("pageSize=300&pageToken=page-2-token%2F%2B%3D").WithHeaders("Authorization", "Bearer " + Token)
            .Respond("application/json", File.ReadAllText("TestData/ListPage2.json"));
        using var host = Host(handler);

        var keys = new List<ProviderKeyInfo>();
        await foreach (var key in host.Adapter.ListKeysAsync(Context))
        {
            keys.Add(key);
        }

        handler.VerifyNoOutstandingExpectation();
        keys.Select(k => k.ProviderKeyId).Should().Equal("ironcage-prod-1", "ironcage-prod-2");
        keys[0].Name.Should().Be("ironcage-prod-1");
        keys[0].Status.Should().Be(ProviderKeyStatus.Active);
        keys[0].CreatedAt.Should().Be(NodaTime.Instant.FromUtc(2026, 9, 1, 9, 0) + NodaTime.Duration.FromTicks(1234560));
        keys[0].Metadata["uid"].Should().Be("0b8c2f5e-7a41-4d8e-9a57-3e1f2d4c6b8a");
        keys[0].Metadata["name"].Should().Be(Parent + "/keys/ironcage-prod-1");
        keys[1].Metadata[GoogleGeminiConstants.ManagedKeyAnnotation].Should().Be("google-gemini/prod");
    }

    [Fact]
    public async Task List_403PermissionDenied_IsForbiddenNamingTheRoleAndPermissions()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys").Respond(HttpStatusCode.Forbidden, "application/json", File.ReadAllText("TestData/PermissionDenied403.json"));
        using var host = Host(handler);

        var thrown = (await FluentActions.Awaiting(() => host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = "ironcage-prod-3" })).Should().ThrowAsync<ProviderRequestException>()).Which;

        handler.VerifyNoOutstandingExpectation();
        thrown.Kind.Should().Be(ProviderErrorKind.Forbidden);
        thrown.StatusCode.Should().Be(403);
        thrown.ProviderErrorCode.Should().Be("PERMISSION_DENIED");
        thrown.Message.Should().Contain("roles/serviceusage.apiKeysAdmin").And.Contain("apikeys.keys.list").And.NotContain("Generative Language API", "Gemini's data-plane rules do not describe the API Keys API");
    }

    [Fact]
    public async Task Get_429ResourceExhausted_IsRetriedHonouringRetryAfter()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys/gemini-prod-original").Respond(_ =>
        {
            var throttled = Json(HttpStatusCode.TooManyRequests, File.ReadAllText("TestData/ResourceExhausted429.json"));
            throttled.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.Zero);
            return throttled;
        });
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys/gemini-prod-original").Respond("application/json", JsonNode.Parse(File.ReadAllText("TestData/TemplateKey.json"))!["keys"]![0]!.ToJsonString());
        using var host = Host(handler);

        var info = await host.Adapter.GetKeyAsync(Context, "gemini-prod-original");

        handler.VerifyNoOutstandingExpectation();
        info!.Name.Should().Be("Gemini prod");
        info.Status.Should().Be(ProviderKeyStatus.Active);
    }

    [Fact]
    public async Task Get_429ThatPersists_IsRateLimitedWithTheGoogleStatus()
    {
        var handler = new MockHttpMessageHandler();
        handler.When(HttpMethod.Get, Api + Parent + "/keys/gemini-prod-original").Respond(HttpStatusCode.TooManyRequests, "application/json", File.ReadAllText("TestData/ResourceExhausted429.json"));
        using var host = Host(handler, o => o.MaxRetries = 1);

        var thrown = (await FluentActions.Awaiting(() => host.Adapter.GetKeyAsync(Context, "gemini-prod-original")).Should().ThrowAsync<ProviderRequestException>()).Which;

        thrown.Kind.Should().Be(ProviderErrorKind.RateLimited);
        thrown.StatusCode.Should().Be(429);
        thrown.ProviderErrorCode.Should().Be("RESOURCE_EXHAUSTED");
    }

    [Fact]
    public async Task Get_404_IsNull_AndUndeleteOfAnUnknownKeyIsNotFoundNamingTheScopeEntry()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys/gone").Respond(HttpStatusCode.NotFound, "application/json", File.ReadAllText("TestData/NotFound404.json"));
        handler.Expect(HttpMethod.Post, Api + Parent + "/keys/gone:undelete").WithContent("{}").Respond(HttpStatusCode.NotFound, "application/json", File.ReadAllText("TestData/NotFound404.json"));
        using var host = Host(handler);

        (await host.Adapter.GetKeyAsync(Context, "gone")).Should().BeNull();
        var thrown = (await FluentActions.Awaiting(() => host.Adapter.UndeleteKeyAsync(Context, "gone")).Should().ThrowAsync<ProviderRequestException>()).Which;

        handler.VerifyNoOutstandingExpectation();
        thrown.Kind.Should().Be(ProviderErrorKind.NotFound);
        thrown.ProviderErrorCode.Should().Be("NOT_FOUND");
        thrown.Message.Should().Contain("'project'");
    }

    [Fact]
    public async Task Delete_PollsTheOperationUntilDone_AndAnAlreadyDeletedKeyIsNotDeletedAgain()
    {
        var handler = new MockHttpMessageHandler();
        var live = JsonNode.Parse(File.ReadAllText("TestData/TemplateKey.json"))!["keys"]![0]!.AsObject();
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys/gemini-prod-original").WithHeaders("Authorization", "Bearer " + Token).Respond("application/json", live.ToJsonString());
        handler.Expect(HttpMethod.Delete, Api + Parent + "/keys/gemini-prod-original").WithExactQueryString("etag=W%2F%22abc123%22").WithHeaders("Authorization", "Bearer " + Token)
            .Respond("application/json", """{"name":"operations/akmf.p7-d1","metadata":{"@type":"type.googleapis.com/google.protobuf.Empty"},"done":false}""");
        handler.Expect(HttpMethod.Get, Api + "operations/akmf.p7-d1").Respond("application/json", """{"name":"operations/akmf.p7-d1","done":false}""");
        handler.Expect(HttpMethod.Get, Api + "operations/akmf.p7-d1").Respond("application/json", """{"name":"operations/akmf.p7-d1","done":true,"response":{"@type":"type.googleapis.com/google.api.apikeys.v2.Key","name":"projects/123456789/locations/global/keys/gemini-prod-original","deleteTime":"2026-11-01T09:00:00Z"}}""");
        var deleted = live.DeepClone().AsObject();
        deleted["deleteTime"] = "2026-11-01T09:00:00Z";
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys/gemini-prod-original").Respond("application/json", deleted.ToJsonString());
        using var host = Host(handler);

        await host.Adapter.DeleteKeyAsync(Context, "gemini-prod-original");
        await host.Adapter.DeleteKeyAsync(Context, "gemini-prod-original");

        handler.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task Undelete_RetriedAfterA503_AndRefusedBecauseTheFirstAttemptWentThrough_SucceedsWhenTheKeyIsLive()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Post, Api + Parent + "/keys/gemini-prod-original:undelete").Respond(HttpStatusCode.ServiceUnavailable, "application/json", """{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}""");
        handler.Expect(HttpMethod.Post, Api + Parent + "/keys/gemini-prod-original:undelete").Respond(HttpStatusCode.BadRequest, "application/json", File.ReadAllText("TestData/NotDeleted400.json"));
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys/gemini-prod-original").Respond("application/json", JsonNode.Parse(File.ReadAllText("TestData/TemplateKey.json"))!["keys"]![0]!.ToJsonString());
        using var host = Host(handler);

        await host.Adapter.UndeleteKeyAsync(Context, "gemini-prod-original");

        handler.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task Undelete_RefusedForAKeyThatIsStillDeleted_Throws()
    {
        var handler = new MockHttpMessageHandler();
        var deleted = JsonNode.Parse(File.ReadAllText("TestData/TemplateKey.json"))!["keys"]![0]!.AsObject();
        deleted["deleteTime"] = "2026-09-01T09:00:00Z";
        handler.Expect(HttpMethod.Post, Api + Parent + "/keys/gemini-prod-original:undelete").Respond(HttpStatusCode.BadRequest, "application/json", File.ReadAllText("TestData/NotDeleted400.json"));
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys/gemini-prod-original").Respond("application/json", deleted.ToJsonString());
        using var host = Host(handler);

        var thrown = (await FluentActions.Awaiting(() => host.Adapter.UndeleteKeyAsync(Context, "gemini-prod-original")).Should().ThrowAsync<ProviderRequestException>()).Which;

        handler.VerifyNoOutstandingExpectation();
        thrown.Kind.Should().Be(ProviderErrorKind.BadRequest);
        thrown.ProviderErrorCode.Should().Be("FAILED_PRECONDITION");
    }

    [Fact]
    public async Task Delete_RetriedAfterA503_AndRefusedBecauseTheFirstAttemptWentThrough_SucceedsWhenTheKeyIsDeleted()
    {
        var handler = new MockHttpMessageHandler();
        var live = JsonNode.Parse(File.ReadAllText("TestData/TemplateKey.json"))!["keys"]![0]!.AsObject();
        var deleted = live.DeepClone().AsObject();
        deleted["deleteTime"] = "2026-11-01T09:00:00Z";
        deleted["etag"] = "W/\"def456\"";
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys/gemini-prod-original").Respond("application/json", live.ToJsonString());
        handler.Expect(HttpMethod.Delete, Api + Parent + "/keys/gemini-prod-original").WithExactQueryString("etag=W%2F%22abc123%22").Respond(HttpStatusCode.ServiceUnavailable, "application/json", """{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}""");
        handler.Expect(HttpMethod.Delete, Api + Parent + "/keys/gemini-prod-original").WithExactQueryString("etag=W%2F%22abc123%22").Respond(HttpStatusCode.Conflict, "application/json", """{"error":{"code":409,"message":"The etag does not match the key's current etag.","status":"ABORTED"}}""");
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys/gemini-prod-original").Respond("application/json", deleted.ToJsonString());
        using var host = Host(handler);

        await host.Adapter.DeleteKeyAsync(Context, "gemini-prod-original");

        handler.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task Create_AlreadyExists_ReadsBackTheKeyAnEarlierAttemptCreated()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys").Respond("application/json", """{"keys":[]}""");
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys/gemini-prod-original").Respond(HttpStatusCode.NotFound, "application/json", File.ReadAllText("TestData/NotFound404.json"));
        handler.Expect(HttpMethod.Post, Api + Parent + "/keys").WithExactQueryString("keyId=ironcage-prod-4")
            .Respond(HttpStatusCode.Conflict, "application/json", """{"error":{"code":409,"message":"Key ironcage-prod-4 already exists.","status":"ALREADY_EXISTS"}}""");
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys/ironcage-prod-4").Respond("application/json", $$"""{"name":"{{Parent}}/keys/ironcage-prod-4","displayName":"ironcage-prod-4","uid":"9f1e2d3c-4b5a-4687-9a0b-1c2d3e4f5a6b"}""");
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys/ironcage-prod-4/keyString").Respond("application/json", $$"""{"keyString":"{{KeyString}}"}""");
        using var host = Host(handler);

        using var created = await host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = "ironcage-prod-4" });

        handler.VerifyNoOutstandingExpectation();
        created.ProviderKeyId.Should().Be("ironcage-prod-4");
        created.Secret.Matches(KeyString).Should().BeTrue();
        created.Metadata["uid"].Should().Be("9f1e2d3c-4b5a-4687-9a0b-1c2d3e4f5a6b");
        host.ShouldNotLeak([KeyString, Token]);
    }

    [Fact]
    public async Task Create_AttemptsIdHeldByADeletedKey_CreatesUnderAFreshIdWithTheSameDisplayName()
    {
        // The engine soft-deleted the key a lost create had made; Google keeps its id for the undelete window.
        await using var emulator = await IronCage.Testing.Emulator.GoogleApiKeysEmulator.StartAsync();
        using var redirect = emulator.CreateHttpMessageHandler();
        using var host = new CloudProviderTestHost(
            b => b.AddGoogleGemini("google", o =>
            {
                o.AccessToken = emulator.AccessToken;
                o.PollInterval = TimeSpan.FromMilliseconds(1);
                o.MaxPollInterval = TimeSpan.FromMilliseconds(5);
                o.RetryDelay = TimeSpan.FromMilliseconds(1);
            }),
            GoogleGeminiConstants.HttpClientName,
            redirect);
        var context = new ProviderKeyContext { Key = Context.Key, Scope = new Dictionary<string, string> { [GoogleGeminiConstants.ProjectScopeKey] = emulator.ProjectNumber } };
        using (var lost = await host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = context, Name = "ironcage-prod-5" }))
        {
            await host.Adapter.DeleteKeyAsync(context, lost.ProviderKeyId);
        }

        using var created = await host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = context, Name = "ironcage-prod-5" });

        created.ProviderKeyId.Should().MatchRegex("^ironcage-prod-5-[0-9a-f]{6}$");
        created.Name.Should().Be("ironcage-prod-5", "the display name the orphan sweep matches stays the attempt's");
        emulator.CreateRequests.Should().Equal("ironcage-prod-5", "ironcage-prod-5", created.ProviderKeyId);
        emulator.Find(created.ProviderKeyId)!.DeleteTime.Should().BeNull();
        emulator.Find("ironcage-prod-5")!.DeleteTime.Should().NotBeNull("the deleted key is left alone (restorable)");
    }

    [Theory]
    [InlineData("ironcage-prod-5")]
    [InlineData("k-0123456789-0123456789-0123456789-0123456789-0123456789-01234")]
    public void RetryKeyIdFor_AnyKeyId_IsAValidKeyIdOfAtMost63Characters(string keyId)
    {
        var retry = GoogleGeminiProviderAdapter.RetryKeyIdFor(keyId);

        retry.Should().MatchRegex("^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$").And.StartWith(keyId[..10]);
        retry.Length.Should().BeLessThanOrEqualTo(63);
        retry.Should().NotBe(GoogleGeminiProviderAdapter.RetryKeyIdFor(keyId), "each retry takes a fresh id");
    }

    [Fact]
    public async Task Verify_SendsTheKeyInXGoogApiKeyToTheModelsList()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Get, "https://generativelanguage.googleapis.com/v1beta/models").WithExactQueryString("pageSize=1").WithHeaders("x-goog-api-key", KeyString)
            .With(r => r.Headers.Authorization is null && !r.RequestUri!.Query.Contains("key=", StringComparison.Ordinal))
            .Respond("application/json", File.ReadAllText("TestData/GeminiModels.json"));
        using var host = Host(handler);
        using var key = SecretValue.FromString(KeyString);

        var result = await host.Adapter.VerifyAsync(Context, key);

        handler.VerifyNoOutstandingExpectation();
        result.IsValid.Should().BeTrue(result.Message);
        result.Provider.Should().Be(ProviderId.GoogleGemini);
    }

    [Fact]
    public async Task Calls_AfterRepeatedServerErrors_OpenTheCircuit_AndSendNothing()
    {
        var handler = new MockHttpMessageHandler();
        var calls = 0;
        handler.When(HttpMethod.Get, Api + Parent + "/keys/gemini-prod-original").Respond(_ =>
        {
            calls++;
            return Json(HttpStatusCode.ServiceUnavailable, """{"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}""");
        });
        using var host = Host(handler, o => o.MaxRetries = 0);
        for (var i = 0; i < 5; i++)
        {
            (await FluentActions.Awaiting(() => host.Adapter.GetKeyAsync(Context, "gemini-prod-original")).Should().ThrowAsync<ProviderRequestException>()).Which.Kind.Should().Be(ProviderErrorKind.Transient);
        }

        var sent = calls;
        var thrown = (await FluentActions.Awaiting(() => host.Adapter.GetKeyAsync(Context, "gemini-prod-original")).Should().ThrowAsync<ProviderRequestException>()).Which;

        sent.Should().Be(5);
        calls.Should().Be(sent, "an open circuit sends nothing");
        thrown.Kind.Should().Be(ProviderErrorKind.Transient);
        thrown.Message.Should().Contain("circuit open").And.Contain("'google'");
    }

    [Fact]
    public async Task Get_ServerErrorOfASafeCall_IsRetried()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys/gemini-prod-original").Respond(_ => Json(HttpStatusCode.ServiceUnavailable, """{"error":{"code":503,"message":"unavailable","status":"UNAVAILABLE"}}"""));
        handler.Expect(HttpMethod.Get, Api + Parent + "/keys/gemini-prod-original").Respond("application/json", JsonNode.Parse(File.ReadAllText("TestData/TemplateKey.json"))!["keys"]![0]!.ToJsonString());
        using var host = Host(handler);

        var info = await host.Adapter.GetKeyAsync(Context, "gemini-prod-original");

        handler.VerifyNoOutstandingExpectation();
        info!.Name.Should().Be("Gemini prod");
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string json) => new(status) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };

    private static CloudProviderTestHost Host(MockHttpMessageHandler handler, Action<GoogleGeminiProviderOptions>? configure = null) => new(
        b => b.AddGoogleGemini("google", o =>
        {
            o.AccessToken = Token;
            o.PollInterval = TimeSpan.FromMilliseconds(1);
            o.MaxPollInterval = TimeSpan.FromMilliseconds(5);
            o.RetryDelay = TimeSpan.FromMilliseconds(1);
            configure?.Invoke(o);
        }),
        GoogleGeminiConstants.HttpClientName,
        handler);
}
