using System.Net;
using IronCage.Providers.Tests;
using IronCage.Providers.XAI;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RichardSzalay.MockHttp;

namespace IronCage.Providers.XAI.Tests;

/// <summary>Every xAI call as PROVIDERS.md §7 gives it, and its error answers classified.</summary>
public sealed class XAIWireTests : IDisposable
{
    private const string Management = "https://management-api.x.ai/";
    private const string Team = "4b0d1c2e-7a3f-4e8d-9c6b-2f5a1e0d3c7b";
    private readonly string _managementKey = "xai-mgmt-" + Guid.NewGuid().ToString("N");
    private readonly MockHttpMessageHandler _mock = new();
    private readonly ProviderHost _host;

    public XAIWireTests()
    {
        _host = new ProviderHost(b => b.AddXAI("xai", o => { o.ManagementKey = _managementKey; o.TeamId = Team; o.MaxRetries = 1; o.RetryDelay = TimeSpan.FromMilliseconds(1); }), XAIConstants.HttpClientName, _mock);
    }

    private static ProviderKeyContext Context => new() { Key = new KeyReference(ProviderId.XAI, "prod") };

    public static TheoryData<int, string, string> Errors => new()
    {
        { 400, "xai-400-incorrect-key.json", "InvalidKey" },
        { 429, "xai-429.json", "RateLimited" },
    };

    [Fact]
    public async Task CreateKeyAsync_PostsNameAndAllAclsToTheTeamAndReturnsTheValueOnce()
    {
        _mock.Expect(HttpMethod.Post, Management + $"auth/teams/{Team}/api-keys")
            .WithHeaders("Authorization", "Bearer " + _managementKey)
            .WithContent("""{"name":"ironcage-prod-1","acls":["api-key:model:*","api-key:endpoint:*"]}""")
            .Respond(HttpStatusCode.OK, "application/json", TestData.Read("xai-key-created.json"));

        using var created = await _host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = "ironcage-prod-1" });

        _mock.VerifyNoOutstandingExpectation();
        created.ProviderKeyId.Should().Be("6b3f2a1e-5d4c-4b3a-9e8f-7a6b5c4d3e2f");
        created.Secret.Reveal().Should().StartWith("xai-").And.HaveLength(84);
        created.Metadata[XAIConstants.AclsMetadataKey].Should().Be("api-key:model:*,api-key:endpoint:*");
        _host.Logs.ShouldNotContainAny([_managementKey, created.Secret.Reveal()]);
    }

    [Fact]
    public async Task CreateKeyAsync_WithConfiguredAcls_SendsThem()
    {
        using var host = new ProviderHost(b => b.AddXAI("xai", o => { o.ManagementKey = _managementKey; o.TeamId = Team; o.Acls.Add("api-key:model:grok-4"); o.Acls.Add("api-key:endpoint:chat"); }), XAIConstants.HttpClientName, _mock);
        _mock.Expect(HttpMethod.Post, Management + $"auth/teams/{Team}/api-keys")
            .WithContent("""{"name":"n","acls":["api-key:model:grok-4","api-key:endpoint:chat"]}""")
            .Respond(HttpStatusCode.OK, "application/json", TestData.Read("xai-key-created.json"));

        using var created = await host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = "n" });

        _mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task ListKeysAsync_FollowsThePageTokenAndMapsDisabledKeysAsInactive()
    {
        _mock.Expect(HttpMethod.Get, Management + $"auth/teams/{Team}/api-keys?pageSize=100").Respond("application/json", TestData.Read("xai-keys-page1.json"));
        _mock.Expect(HttpMethod.Get, Management + $"auth/teams/{Team}/api-keys?pageSize=100&paginationToken=page-2").Respond("application/json", TestData.Read("xai-keys-page2.json"));

        var keys = new List<ProviderKeyInfo>();
        await foreach (var key in _host.Adapter.ListKeysAsync(Context))
        {
            keys.Add(key);
        }

        _mock.VerifyNoOutstandingExpectation();
        keys.Select(k => (k.ProviderKeyId, k.Name, k.Status)).Should().Equal(
            ("11111111-1111-4111-8111-111111111111", "prod", ProviderKeyStatus.Active),
            ("22222222-2222-4222-8222-222222222222", "old", ProviderKeyStatus.Inactive),
            ("33333333-3333-4333-8333-333333333333", "batch", ProviderKeyStatus.Active));
        keys[0].DisplayHint.Should().Be("xai-***a1b2");
        keys[0].Metadata[XAIConstants.AclsMetadataKey].Should().Be("api-key:model:grok-4,api-key:endpoint:chat");
        keys[0].CreatedAt.Should().Be(NodaTime.Instant.FromUtc(2026, 11, 1, 9, 0));
    }

    [Fact]
    public async Task DeleteKeyAsync_DeletesById_AndAGoneKeyIsNotAnError()
    {
        _mock.Expect(HttpMethod.Delete, Management + "auth/api-keys/6b3f2a1e-5d4c-4b3a-9e8f-7a6b5c4d3e2f").WithHeaders("Authorization", "Bearer " + _managementKey).Respond("application/json", "{}");
        _mock.Expect(HttpMethod.Delete, Management + "auth/api-keys/gone").Respond(HttpStatusCode.NotFound, "application/json", """{"code":"NotFound","error":"API key gone not found"}""");

        await _host.Adapter.DeleteKeyAsync(Context, "6b3f2a1e-5d4c-4b3a-9e8f-7a6b5c4d3e2f");
        await _host.Adapter.DeleteKeyAsync(Context, "gone");

        _mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task VerifyAsync_InferenceKey_CallsTheInferenceApiWithTheKeyNotTheManagementKey()
    {
        var key = FakeKeys.GenerateText(ProviderId.XAI);
        _mock.Expect(HttpMethod.Get, "https://api.x.ai/v1/api-key").WithHeaders("Authorization", "Bearer " + key).Respond("application/json", TestData.Read("xai-api-key.json"));
        using var secret = SecretValue.FromString(key);

        var result = await _host.Adapter.VerifyAsync(Context, secret);

        _mock.VerifyNoOutstandingExpectation();
        result.IsValid.Should().BeTrue(result.Message);
    }

    [Fact]
    public async Task VerifyAsync_DisabledKey_IsInvalid()
    {
        _mock.When(HttpMethod.Get, "https://api.x.ai/v1/api-key").Respond("application/json", TestData.Read("xai-api-key-disabled.json"));
        using var secret = SecretValue.FromString(FakeKeys.GenerateText(ProviderId.XAI));

        var result = await _host.Adapter.VerifyAsync(Context, secret);

        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        result.Message.Should().Contain("disabled");
    }

    [Fact]
    public async Task VerifyAsync_ManagementKey_UsesTheValidationEndpoint()
    {
        _mock.Expect(HttpMethod.Get, Management + "auth/management-keys/validation").WithHeaders("Authorization", "Bearer " + _managementKey).Respond("application/json", $$"""{"teamId":"{{Team}}","scopeId":"{{Team}}"}""");
        using var secret = SecretValue.FromString(_managementKey);

        var result = await _host.Adapter.VerifyAsync(Context with { Kind = KeyKind.Admin }, secret);

        _mock.VerifyNoOutstandingExpectation();
        result.IsValid.Should().BeTrue(result.Message);
    }

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task VerifyAsync_DocumentedErrorBodies_AreClassifiedAndNeverEchoTheKey(int status, string body, string kind)
    {
        var key = FakeKeys.GenerateText(ProviderId.XAI);
        _mock.When(HttpMethod.Get, "https://api.x.ai/v1/api-key").Respond((HttpStatusCode)status, "application/json", TestData.Read(body));
        using var secret = SecretValue.FromString(key);

        var result = await _host.Adapter.VerifyAsync(Context, secret);

        result.ErrorKind?.ToString().Should().Be(kind);
        result.Message.Should().NotContain(key);
        _host.Logs.ShouldNotContainAny([key, _managementKey]);
    }

    [Fact]
    public void AddXAI_MissingTeamAndBadAcl_FailAtStartNamingTheFix()
    {
        var services = new ServiceCollection();
        services.AddIronCage().AddXAI("xai", o => { o.ManagementKey = _managementKey; o.Acls.Add("model:*"); o.InferenceAddress = new Uri("http://api.example.com/"); });
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptionsMonitor<XAIProviderOptions>>().Get("xai");

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should()
            .Contain(f => f.Contains("TeamId is not set", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("Acls holds 'model:*'", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("InferenceAddress must be an absolute https address", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        _host.Dispose();
        _mock.Dispose();
    }
}
