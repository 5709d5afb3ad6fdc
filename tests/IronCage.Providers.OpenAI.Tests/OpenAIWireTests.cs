using System.Net;
using IronCage.Providers.OpenAI;
using IronCage.Providers.Tests;
using IronCage.Testing;
using NodaTime;
using RichardSzalay.MockHttp;

namespace IronCage.Providers.OpenAI.Tests;

/// <summary>Every OpenAI call as PROVIDERS.md §1 gives it: method, path, query, auth, content type and body; answers shaped like the documented examples.</summary>
public sealed class OpenAIWireTests : IDisposable
{
    private const string Api = "https://api.openai.com/v1/";
    private readonly string _adminKey = FakeKeys.GenerateText(ProviderId.OpenAI, KeyKind.Admin);
    private readonly MockHttpMessageHandler _mock = new();
    private readonly ProviderHost _host;

    public OpenAIWireTests()
    {
        _host = new ProviderHost(b => b.AddOpenAI("openai", o => { o.AdminKey = _adminKey; o.RetryDelay = TimeSpan.Zero; }), OpenAIConstants.HttpClientName, _mock);
    }

    private static ProviderKeyContext Project => new() { Key = new KeyReference(ProviderId.OpenAI, "prod"), Scope = new Dictionary<string, string> { ["project_id"] = "proj_abc" } };

    private static ProviderKeyContext Admin => new() { Key = new KeyReference(ProviderId.OpenAI, "admin"), Kind = KeyKind.Admin };

    [Fact]
    public async Task CreateKeyAsync_AdminKeyWithExpiry_PostsNameAndExpiresInSeconds()
    {
        _mock.Expect(HttpMethod.Post, Api + "organization/admin_api_keys")
            .WithHeaders("Authorization", "Bearer " + _adminKey)
            .With(IsJson)
            .WithContent("""{"name":"ironcage-admin-1","expires_in_seconds":86400}""")
            .Respond("application/json", TestData.Read("openai-admin-key-created.json"));

        using var created = await _host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Admin, Name = "ironcage-admin-1", ExpiresAt = _host.Clock.GetCurrentInstant() + Duration.FromDays(1) });

        _mock.VerifyNoOutstandingExpectation();
        created.ProviderKeyId.Should().Be("key_xyz");
        created.Secret.Reveal().Should().Be("sk-admin-1234abcd");
        created.Name.Should().Be("ironcage-admin-1");
        created.ExpiresAt.Should().Be(Instant.FromUnixTimeSeconds(1711557933));
        _host.Logs.ShouldNotContainAny([_adminKey, "sk-admin-1234abcd"]);
    }

    [Fact]
    public async Task CreateKeyAsync_AdminKeyWithoutExpiry_OmitsExpiresInSeconds()
    {
        _mock.Expect(HttpMethod.Post, Api + "organization/admin_api_keys").WithContent("""{"name":"n"}""").Respond("application/json", TestData.Read("openai-admin-key-created.json"));

        using var created = await _host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Admin, Name = "n" });

        _mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task ListKeysAsync_AdminKeys_FollowsTheCursorAndMapsEveryField()
    {
        _mock.Expect(HttpMethod.Get, Api + "organization/admin_api_keys?limit=100").WithHeaders("Authorization", "Bearer " + _adminKey).Respond("application/json", TestData.Read("openai-admin-keys-page1.json"));
        _mock.Expect(HttpMethod.Get, Api + "organization/admin_api_keys?limit=100&after=key_abc").Respond("application/json", TestData.Read("openai-admin-keys-page2.json"));

        var keys = await ListAsync(Admin);

        _mock.VerifyNoOutstandingExpectation();
        keys.Select(k => k.ProviderKeyId).Should().Equal("key_abc", "key_def");
        keys[0].Name.Should().Be("Main Admin Key");
        keys[0].DisplayHint.Should().Be("sk-admin...def");
        keys[0].Status.Should().Be(ProviderKeyStatus.Active);
        keys[0].CreatedAt.Should().Be(Instant.FromUnixTimeSeconds(1711471533));
        keys[0].LastUsedAt.Should().Be(Instant.FromUnixTimeSeconds(1711471534));
        keys[0].Metadata["owner_id"].Should().Be("sa_456");
        keys[1].Status.Should().Be(ProviderKeyStatus.Expired, "its expires_at is in the past");
    }

    [Fact]
    public async Task GetKeyAsync_UnknownAdminKey_ReturnsNull()
    {
        _mock.Expect(HttpMethod.Get, Api + "organization/admin_api_keys/key_nope").Respond(HttpStatusCode.NotFound, "application/json", """{"error":{"message":"not found","type":"invalid_request_error","param":null,"code":null}}""");

        (await _host.Adapter.GetKeyAsync(Admin, "key_nope")).Should().BeNull();
        _mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task DeleteKeyAsync_AdminKey_SendsDelete()
    {
        _mock.Expect(HttpMethod.Delete, Api + "organization/admin_api_keys/key_abc").WithHeaders("Authorization", "Bearer " + _adminKey).Respond("application/json", TestData.Read("openai-admin-key-deleted.json"));

        await _host.Adapter.DeleteKeyAsync(Admin, "key_abc");

        _mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task CreateKeyAsync_ProjectKey_CreatesAServiceAccountAndReturnsItsKey()
    {
        _mock.Expect(HttpMethod.Post, Api + "organization/projects/proj_abc/service_accounts")
            .WithHeaders("Authorization", "Bearer " + _adminKey)
            .With(IsJson)
            .WithContent("""{"name":"ironcage-prod-1"}""")
            .Respond("application/json", TestData.Read("openai-service-account-created.json"));

        using var created = await _host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Project, Name = "ironcage-prod-1" });

        _mock.VerifyNoOutstandingExpectation();
        created.ProviderKeyId.Should().Be("key_abc");
        created.Secret.Reveal().Should().Be("sk-svcacct-abcdefghijklmnopqrstuvwxyz0123456789");
        created.Metadata[OpenAIConstants.ServiceAccountIdMetadataKey].Should().Be("svc_acct_abc");
        created.ExpiresAt.Should().BeNull("project keys never expire");
    }

    [Fact]
    public async Task CreateKeyAsync_ProjectKey_TheKeyIsKnownByTheAccountsNameNotOpenAIsDefaultKeyName()
    {
        // The official spec's example: the account carries the requested name, its key is named "Secret Key".
        _mock.Expect(HttpMethod.Post, Api + "organization/projects/proj_abc/service_accounts").Respond("application/json", TestData.Read("openai-service-account-created.json"));

        using var created = await _host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Project, Name = "ironcage-prod-1" });

        created.Name.Should().Be("ironcage-prod-1");
    }

    [Fact]
    public async Task GetKeyAsync_KeyAServiceAccountWasCreatedWith_IsKnownByItsOwningAccountsName()
    {
        _mock.Expect(HttpMethod.Get, Api + "organization/projects/proj_abc/api_keys/key_abc").Respond("application/json", TestData.Read("openai-project-key-of-created-service-account.json"));

        var info = await _host.Adapter.GetKeyAsync(Project, "key_abc");

        info!.Name.Should().Be("ironcage-prod-1", "a half-created key is found again by the name IronCage gave its service account");
        info.Metadata[OpenAIConstants.ServiceAccountIdMetadataKey].Should().Be("svc_acct_abc");
    }

    [Fact]
    public async Task GetKeyAsync_KeyMintedWithItsOwnName_KeepsThatName()
    {
        _mock.Expect(HttpMethod.Get, Api + "organization/projects/proj_abc/api_keys/key_abc").Respond("application/json", TestData.Read("openai-project-key-service-account.json"));

        var info = await _host.Adapter.GetKeyAsync(Project, "key_abc");

        info!.Name.Should().Be("My API Key");
    }

    [Fact]
    public async Task CreateKeyAsync_WithServiceAccountScope_CreatesAnAdditionalServiceAccountKeyWithScopes()
    {
        var context = Project with { Scope = new Dictionary<string, string> { ["project_id"] = "proj_abc", ["service_account_id"] = "svc_acct_abc", ["key_scopes"] = "api.responses.write, api.model.read" } };
        _mock.Expect(HttpMethod.Post, Api + "organization/projects/proj_abc/service_accounts/svc_acct_abc/api_keys")
            .With(IsJson)
            .WithContent("""{"name":"ironcage-prod-2","scopes":["api.responses.write","api.model.read"]}""")
            .Respond("application/json", TestData.Read("openai-service-account-key-created.json"));

        using var created = await _host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = context, Name = "ironcage-prod-2" });

        _mock.VerifyNoOutstandingExpectation();
        created.ProviderKeyId.Should().Be("key_def");
        created.Metadata[OpenAIConstants.ServiceAccountIdMetadataKey].Should().Be("svc_acct_abc");
    }

    [Fact]
    public async Task ListKeysAsync_ProjectKeys_MapsOwnerAndAccess()
    {
        _mock.Expect(HttpMethod.Get, Api + "organization/projects/proj_abc/api_keys?limit=100").Respond("application/json", TestData.Read("openai-project-keys.json"));

        var keys = await ListAsync(Project);

        _mock.VerifyNoOutstandingExpectation();
        keys.Select(k => (k.ProviderKeyId, k.Status)).Should().Equal(("key_abc", ProviderKeyStatus.Active), ("key_ghi", ProviderKeyStatus.Inactive));
        keys[0].Metadata["owner_type"].Should().Be("user");
        keys[0].DisplayHint.Should().Be("sk-abc...def");
    }

    [Fact]
    public async Task DeleteKeyAsync_ServiceAccountOwnedProjectKey_DeletesTheServiceAccountAfterThe400()
    {
        _mock.Expect(HttpMethod.Delete, Api + "organization/projects/proj_abc/api_keys/key_abc").Respond(HttpStatusCode.BadRequest, "application/json", TestData.Read("openai-400-service-account-key.json"));
        _mock.Expect(HttpMethod.Get, Api + "organization/projects/proj_abc/api_keys/key_abc").Respond("application/json", TestData.Read("openai-project-key-service-account.json"));
        _mock.Expect(HttpMethod.Delete, Api + "organization/projects/proj_abc/service_accounts/svc_acct_abc").WithHeaders("Authorization", "Bearer " + _adminKey).Respond("application/json", TestData.Read("openai-service-account-deleted.json"));

        await _host.Adapter.DeleteKeyAsync(Project, "key_abc");

        _mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task DeleteKeyAsync_KeyOfTheSharedServiceAccount_RefusesToDeleteTheAccount()
    {
        var context = Project with { Scope = new Dictionary<string, string> { ["project_id"] = "proj_abc", ["service_account_id"] = "svc_acct_abc" } };
        _mock.Expect(HttpMethod.Delete, Api + "organization/projects/proj_abc/api_keys/key_abc").Respond(HttpStatusCode.BadRequest, "application/json", TestData.Read("openai-400-service-account-key.json"));
        _mock.Expect(HttpMethod.Get, Api + "organization/projects/proj_abc/api_keys/key_abc").Respond("application/json", TestData.Read("openai-project-key-service-account.json"));

        var act = () => _host.Adapter.DeleteKeyAsync(context, "key_abc");

        (await act.Should().ThrowAsync<IronCageException>()).Which.Message.Should().Contain("svc_acct_abc").And.Contain("console");
        _mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task VerifyAsync_ProjectKey_GetsModelsWithTheKey()
    {
        using var key = FakeKeys.Generate(ProviderId.OpenAI);
        _mock.Expect(HttpMethod.Get, Api + "models").WithHeaders("Authorization", "Bearer " + key.Reveal()).Respond("application/json", TestData.Read("openai-models.json"));

        var result = await _host.Adapter.VerifyAsync(Project, key);

        result.IsValid.Should().BeTrue(result.Message);
        _mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task VerifyAsync_AdminKey_ReadsOneAdminKey()
    {
        using var key = FakeKeys.Generate(ProviderId.OpenAI, KeyKind.Admin);
        _mock.Expect(HttpMethod.Get, Api + "organization/admin_api_keys?limit=1").WithHeaders("Authorization", "Bearer " + key.Reveal()).Respond("application/json", TestData.Read("openai-admin-keys-page2.json"));

        (await _host.Adapter.VerifyAsync(Admin, key)).IsValid.Should().BeTrue();
        _mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task ProjectCalls_WithoutProjectScope_SayWhichScopeEntryToSet()
    {
        var context = new ProviderKeyContext { Key = new KeyReference(ProviderId.OpenAI, "prod") };

        var act = () => _host.Adapter.GetKeyAsync(context, "key_abc");

        (await act.Should().ThrowAsync<IronCageException>()).Which.Message.Should().Contain("'project_id' scope entry");
    }

    [Fact]
    public async Task BaseAddress_WithoutTrailingSlash_StillAppendsPaths()
    {
        using var mock = new MockHttpMessageHandler();
        mock.Expect(HttpMethod.Get, "http://127.0.0.1:5099/proxy/v1/organization/admin_api_keys/key_abc").Respond("application/json", TestData.Read("openai-admin-key-created.json"));
        using var host = new ProviderHost(b => b.AddOpenAI("openai", o => { o.AdminKey = _adminKey; o.BaseAddress = new Uri("http://127.0.0.1:5099/proxy/v1"); }), OpenAIConstants.HttpClientName, mock);

        (await host.Adapter.GetKeyAsync(Admin, "key_abc"))!.ProviderKeyId.Should().Be("key_xyz");
        mock.VerifyNoOutstandingExpectation();
    }

    public void Dispose()
    {
        _host.Dispose();
        _mock.Dispose();
    }

    private static bool IsJson(HttpRequestMessage request) => request.Content?.Headers.ContentType?.ToString() == "application/json";

    private async Task<List<ProviderKeyInfo>> ListAsync(ProviderKeyContext context)
    {
        var keys = new List<ProviderKeyInfo>();
        await foreach (var key in _host.Adapter.ListKeysAsync(context))
        {
            keys.Add(key);
        }

        return keys;
    }
}
