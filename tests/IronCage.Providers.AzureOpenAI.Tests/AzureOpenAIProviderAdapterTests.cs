using System.Net;
using IronCage.Providers.AzureOpenAI;
using RichardSzalay.MockHttp;

namespace IronCage.Providers.AzureOpenAI.Tests;

public sealed class AzureOpenAIProviderAdapterTests
{
    private const string Account = AzureWire.Account;

    [Fact]
    public async Task ListKeys_PostsListKeysWithBearerTokenAndApiVersion_AndReturnsBothSlotsWithoutValues()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Post, Account + "/listKeys")
            .WithExactQueryString("api-version=2026-03-01")
            .WithHeaders("Authorization", "Bearer " + FakeTokenCredential.Token)
            .WithHeaders("Accept", "application/json")
            .Respond("application/json", File.ReadAllText("TestData/ListKeys.json"));
        using var host = Host(handler);

        var keys = new List<ProviderKeyInfo>();
        await foreach (var key in host.Adapter.ListKeysAsync(AzureWire.Context()))
        {
            keys.Add(key);
        }

        handler.VerifyNoOutstandingExpectation();
        keys.Select(k => k.ProviderKeyId).Should().Equal("Key1", "Key2");
        keys.Should().OnlyContain(k => k.Status == ProviderKeyStatus.Active);
        keys.Select(k => k.ToString()).Should().NotContain(s => s.Contains("0a1b2c3d4e5f60718293a4b5c6d7e8f9") || s.Contains("f9e8d7c6b5a4938271605f4e3d2c1b0a"));
    }

    [Fact]
    public async Task RegenerateSlot_200_PostsKeyNameAndReturnsOnlyThatSlot()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Post, Account + "/regenerateKey")
            .WithExactQueryString("api-version=2026-03-01")
            .WithHeaders("Authorization", "Bearer " + FakeTokenCredential.Token)
            .WithContent("""{"keyName":"Key2"}""")
            .Respond("application/json", File.ReadAllText("TestData/ListKeys.json"));
        using var host = Host(handler);

        using var created = await host.Adapter.RegenerateSlotAsync(AzureWire.Context(), "key2");

        handler.VerifyNoOutstandingExpectation();
        created.ProviderKeyId.Should().Be("Key2");
        created.Secret.Matches("f9e8d7c6b5a4938271605f4e3d2c1b0a").Should().BeTrue();
        created.Metadata["slot"].Should().Be("Key2");
        host.ShouldNotLeak(["0a1b2c3d4e5f60718293a4b5c6d7e8f9", "f9e8d7c6b5a4938271605f4e3d2c1b0a"]);
    }

    [Fact]
    public async Task RegenerateSlot_202_PollsTheAsyncOperationThenListsKeys()
    {
        var handler = new MockHttpMessageHandler();
        const string Operation = "https://management.azure.com/subscriptions/sub-1/providers/Microsoft.CognitiveServices/locations/eastus/operationResults/op-1";
        handler.Expect(HttpMethod.Post, Account + "/regenerateKey").WithContent("""{"keyName":"Key1"}""").Respond(_ =>
        {
            var accepted = new HttpResponseMessage(HttpStatusCode.Accepted);
            accepted.Headers.Add("Azure-AsyncOperation", Operation + "?api-version=2026-03-01");
            return accepted;
        });
        handler.Expect(HttpMethod.Get, Operation).WithHeaders("Authorization", "Bearer " + FakeTokenCredential.Token).Respond("application/json", """{"status":"InProgress"}""");
        handler.Expect(HttpMethod.Get, Operation).Respond("application/json", """{"status":"Succeeded"}""");
        handler.Expect(HttpMethod.Post, Account + "/listKeys").WithExactQueryString("api-version=2026-03-01").Respond("application/json", File.ReadAllText("TestData/ListKeys.json"));
        using var host = Host(handler);

        using var created = await host.Adapter.RegenerateSlotAsync(AzureWire.Context(), "Key1");

        handler.VerifyNoOutstandingExpectation();
        created.ProviderKeyId.Should().Be("Key1");
        created.Secret.Matches("0a1b2c3d4e5f60718293a4b5c6d7e8f9").Should().BeTrue();
    }

    [Fact]
    public async Task RegenerateSlot_OperationFails_ThrowsClassifiedWithoutSecrets()
    {
        var handler = new MockHttpMessageHandler();
        const string Operation = "https://management.azure.com/subscriptions/sub-1/providers/Microsoft.CognitiveServices/locations/eastus/operationResults/op-1";
        handler.Expect(HttpMethod.Post, Account + "/regenerateKey").Respond(_ =>
        {
            var accepted = new HttpResponseMessage(HttpStatusCode.Accepted);
            accepted.Headers.Add("Azure-AsyncOperation", Operation);
            return accepted;
        });
        handler.Expect(HttpMethod.Get, Operation).Respond("application/json", File.ReadAllText("TestData/AsyncOperationFailed.json"));
        using var host = Host(handler);

        var thrown = (await FluentActions.Awaiting(() => host.Adapter.RegenerateSlotAsync(AzureWire.Context(), "Key1")).Should().ThrowAsync<ProviderRequestException>()).Which;

        thrown.ProviderErrorCode.Should().Be("InternalServerError");
        thrown.Kind.Should().Be(ProviderErrorKind.Transient);
    }

    [Fact]
    public async Task RegenerateSlot_OperationFailureTextEchoingAKey_NeverPutsTheKeyInTheException()
    {
        var echoed = IronCage.Testing.FakeKeys.GenerateText(ProviderId.AzureOpenAI);
        var handler = new MockHttpMessageHandler();
        const string Operation = "https://management.azure.com/subscriptions/sub-1/providers/Microsoft.CognitiveServices/locations/eastus/operationResults/op-1";
        handler.Expect(HttpMethod.Post, Account + "/regenerateKey").Respond(_ =>
        {
            var accepted = new HttpResponseMessage(HttpStatusCode.Accepted);
            accepted.Headers.Add("Azure-AsyncOperation", Operation);
            return accepted;
        });
        handler.Expect(HttpMethod.Get, Operation).Respond("application/json", $$$"""{"status":"Failed","error":{"code":"InternalServerError","message":"Regenerated key {{{echoed}}} could not be stored; old key ending {{{echoed[^20..]}}} kept."}}""");
        using var host = Host(handler);

        var thrown = (await FluentActions.Awaiting(() => host.Adapter.RegenerateSlotAsync(AzureWire.Context(), "Key1")).Should().ThrowAsync<ProviderRequestException>()).Which;

        thrown.Message.Should().Contain("Azure said").And.NotContain(echoed[^20..]).And.NotContain(echoed[..16]);
    }

    [Theory]
    [InlineData("https://evil.example.com/op")]
    [InlineData("https://management.azure.com:8443/subscriptions/sub-1/operationResults/op-1")]
    [InlineData("http://management.azure.com/subscriptions/sub-1/operationResults/op-1")]
    [InlineData("https://management.azure.com.evil.example/op")]
    public async Task RegenerateSlot_OperationUrlOnAnotherOrigin_IsNotFollowed(string operationUrl)
    {
        var handler = new MockHttpMessageHandler();
        handler.Fallback.Throw(new InvalidOperationException("The bearer token was sent to the operation URL."));
        handler.Expect(HttpMethod.Post, Account + "/regenerateKey").Respond(_ =>
        {
            var accepted = new HttpResponseMessage(HttpStatusCode.Accepted);
            accepted.Headers.Add("Azure-AsyncOperation", operationUrl);
            return accepted;
        });
        using var host = Host(handler);

        await FluentActions.Awaiting(() => host.Adapter.RegenerateSlotAsync(AzureWire.Context(), "Key1")).Should().ThrowAsync<ProviderRequestException>().WithMessage("*scheme, host and port must match*does not send its token there*");
        handler.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task ArmErrors_429IsRetriedHonouringRetryAfter_403IsForbiddenWithAFix()
    {
        var handler = new MockHttpMessageHandler();
        handler.Expect(HttpMethod.Post, Account + "/listKeys").Respond(_ =>
        {
            var throttled = AzureWire.Json(HttpStatusCode.TooManyRequests, File.ReadAllText("TestData/ArmError429.json"));
            throttled.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.Zero);
            throttled.Headers.Add("x-ms-request-id", "req-429");
            return throttled;
        });
        handler.Expect(HttpMethod.Post, Account + "/listKeys").Respond(_ =>
        {
            var forbidden = AzureWire.Json(HttpStatusCode.Forbidden, File.ReadAllText("TestData/ArmError403.json"));
            forbidden.Headers.Add("x-ms-request-id", "req-403");
            return forbidden;
        });
        using var host = Host(handler);

        var thrown = (await FluentActions.Awaiting(() => host.Adapter.GetKeyAsync(AzureWire.Context(), "Key1")).Should().ThrowAsync<ProviderRequestException>()).Which;

        handler.VerifyNoOutstandingExpectation();
        thrown.Kind.Should().Be(ProviderErrorKind.Forbidden);
        thrown.StatusCode.Should().Be(403);
        thrown.ProviderErrorCode.Should().Be("AuthorizationFailed");
        thrown.RequestId.Should().Be("req-403");
        thrown.Message.Should().Contain("regenerateKey/action");
    }

    [Fact]
    public async Task ArmError_429WithRetryAfterBeyondTheCap_IsRateLimitedAtOnceWithRetryAfter()
    {
        var handler = new MockHttpMessageHandler();
        var calls = 0;
        handler.When(HttpMethod.Post, Account + "/listKeys").Respond(_ =>
        {
            calls++;
            var throttled = AzureWire.Json(HttpStatusCode.TooManyRequests, File.ReadAllText("TestData/ArmError429.json"));
            throttled.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(600));
            return throttled;
        });
        using var host = Host(handler, o => o.MaxRetries = 1);

        var thrown = (await FluentActions.Awaiting(() => host.Adapter.GetKeyAsync(AzureWire.Context(), "Key1")).Should().ThrowAsync<ProviderRequestException>()).Which;

        calls.Should().Be(1, "a Retry-After longer than the pipeline's cap goes back to the caller instead of being waited out");
        thrown.Kind.Should().Be(ProviderErrorKind.RateLimited);
        thrown.RetryAfter.Should().Be(TimeSpan.FromSeconds(600));
        thrown.ProviderErrorCode.Should().Be("TooManyRequests");
    }

    [Fact]
    public async Task Verify_UsesTheDataPlaneWithApiKeyHeader()
    {
        await using var azure = await IronCage.Testing.Emulator.AzureCognitiveServicesEmulator.StartAsync();
        azure.AddAccount("sub-1", "rg-ai", "my-openai");
        using var redirect = azure.CreateHttpMessageHandler();
        using var host = AzureCognitiveServicesEmulatorRotationTests.Host(azure, redirect);
        using var good = SecretValue.FromString(azure.GetKey("sub-1", "rg-ai", "my-openai", "Key1"));
        using var bad = SecretValue.FromString("5b2e9c7a1d4f6e8091a3c5e7f9b1d3e5");

        (await host.Adapter.VerifyAsync(AzureWire.Context(), good)).IsValid.Should().BeTrue();
        var result = await host.Adapter.VerifyAsync(AzureWire.Context(), bad);

        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        result.StatusCode.Should().Be(401);
        azure.Requests.Should().Equal(["GET /dataplane/my-openai/openai/v1/models", "GET /dataplane/my-openai/openai/v1/models"], "the key goes to the account's data plane in api-key (the emulator refuses it anywhere else)");
    }

    [Fact]
    public async Task MissingScope_SaysWhichEntryToSet()
    {
        using var host = Host(new MockHttpMessageHandler());
        var context = new ProviderKeyContext { Key = new KeyReference(ProviderId.AzureOpenAI, "prod") };

        await FluentActions.Awaiting(() => host.Adapter.GetKeyAsync(context, "Key1")).Should().ThrowAsync<IronCageException>().WithMessage("*subscription_id*");
    }

    [Fact]
    public async Task Calls_AfterRepeatedServerErrors_OpenTheCircuit_AndSendNothing()
    {
        var handler = new MockHttpMessageHandler();
        var calls = 0;
        handler.When(HttpMethod.Post, Account + "/listKeys").Respond(_ =>
        {
            calls++;
            return AzureWire.Json(HttpStatusCode.ServiceUnavailable, """{"error":{"code":"ServiceUnavailable","message":"The service is temporarily unavailable."}}""");
        });
        using var host = Host(handler, o => o.MaxRetries = 0);
        for (var i = 0; i < 5; i++)
        {
            (await FluentActions.Awaiting(() => host.Adapter.GetKeyAsync(AzureWire.Context(), "Key1")).Should().ThrowAsync<ProviderRequestException>()).Which.Kind.Should().Be(ProviderErrorKind.Transient);
        }

        var sent = calls;
        var thrown = (await FluentActions.Awaiting(() => host.Adapter.GetKeyAsync(AzureWire.Context(), "Key1")).Should().ThrowAsync<ProviderRequestException>()).Which;

        sent.Should().Be(5);
        calls.Should().Be(sent, "an open circuit sends nothing");
        thrown.Kind.Should().Be(ProviderErrorKind.Transient);
        thrown.Message.Should().Contain("circuit open").And.Contain("'azure'");
    }

    private static CloudProviderTestHost Host(MockHttpMessageHandler handler, Action<AzureOpenAIProviderOptions>? configure = null) => new(
        b => b.AddAzureOpenAI("azure", o =>
        {
            o.Credential = new FakeTokenCredential();
            o.PollInterval = TimeSpan.FromMilliseconds(1);
            o.MaxPollInterval = TimeSpan.FromMilliseconds(5);
            o.RetryDelay = TimeSpan.FromMilliseconds(1);
            configure?.Invoke(o);
        }),
        AzureOpenAIConstants.HttpClientName,
        handler);
}
