using System.Net;
using IronCage.Providers.Mistral;
using IronCage.Providers.Tests;
using IronCage.Testing;
using NodaTime;
using RichardSzalay.MockHttp;

namespace IronCage.Providers.Mistral.Tests;

/// <summary>Every Mistral call as PROVIDERS.md §9 gives it (beta Admin API, verify on the inference API), and its error answers classified.</summary>
public sealed class MistralWireTests : IDisposable
{
    private const string Admin = "https://console.mistral.ai/api/admin/";
    private const string Inference = "https://api.mistral.ai/v1/";
    private const string Workspace = "3b1f7c2a-9d4e-4a8b-b6c5-1e2f3a4b5c6d";
    private readonly string _adminKey = FakeKeys.GenerateText(ProviderId.Mistral);
    private readonly MockHttpMessageHandler _mock = new();
    private readonly ProviderHost _host;

    public MistralWireTests()
    {
        _host = new ProviderHost(b => b.AddMistral("mistral", o => { o.AdminKey = _adminKey; o.MaxRetries = 1; o.RetryDelay = TimeSpan.FromMilliseconds(1); }), MistralConstants.HttpClientName, _mock);
    }

    private static ProviderKeyContext Context => new() { Key = new KeyReference(ProviderId.Mistral, "prod"), Scope = new Dictionary<string, string> { [MistralConstants.WorkspaceIdScopeKey] = Workspace } };

    public static TheoryData<int, string> Errors => new()
    {
        { 401, "InvalidKey" },
        { 429, "RateLimited" },
        { 500, "Transient" },
    };

    [Fact]
    public async Task CreateKeyAsync_SendsNameExpirationDateAndWorkspaceWithTheAdminKeyHeader()
    {
        _mock.Expect(HttpMethod.Post, Admin + "api-keys")
            .WithHeaders(MistralConstants.AdminKeyHeader, _adminKey)
            .With(r => r.Headers.Authorization is null && r.Content?.Headers.ContentType?.ToString() == "application/json")
            .WithContent($$"""{"name":"ironcage-prod-2","expiration":"2026-12-31","workspace_uuid":"{{Workspace}}"}""")
            .Respond(HttpStatusCode.OK, "application/json", TestData.Read("mistral-key-created.json"));

        using var created = await _host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = "ironcage-prod-2", ExpiresAt = Instant.FromUtc(2026, 12, 31, 18, 0) });

        _mock.VerifyNoOutstandingExpectation();
        created.ProviderKeyId.Should().Be("9a8b7c6d-5e4f-4321-8765-0fedcba98765");
        created.Secret.Reveal().Should().Be("Qw3rTy7uIo9pAs1dFg2hJk3lZx4cVb5nQw6eRt8yTy7u");
        created.Name.Should().Be("ironcage-prod-2");
        created.Metadata[MistralConstants.WorkspaceIdMetadataKey].Should().Be(Workspace);
        _host.Logs.ShouldNotContainAny([_adminKey, created.Secret.Reveal()]);
    }

    [Fact]
    public async Task CreateKeyAsync_AnswerWithOnlyAMaskedKey_FailsWithoutLeakingTheAdminKey()
    {
        var masked = TestData.Read("mistral-key-created.json").Replace("Qw3rTy7uIo9pAs1dFg2hJk3lZx4cVb5nQw6eRt8yTy7u", "Qw3r****************************Ty7u", StringComparison.Ordinal);
        _mock.Expect(HttpMethod.Post, Admin + "api-keys").Respond("application/json", masked);

        var act = () => _host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = new ProviderKeyContext { Key = Context.Key }, Name = "n" });

        var thrown = (await act.Should().ThrowAsync<IronCageException>()).Which;
        thrown.Message.Should().Contain("without returning its value").And.NotContain(_adminKey);
    }

    [Fact]
    public async Task ListKeysAsync_PagesWithLimitAndOffset_MapsExpiredKeys()
    {
        _mock.Expect(HttpMethod.Get, Admin + "api-keys?limit=100&offset=0").WithHeaders(MistralConstants.AdminKeyHeader, _adminKey).Respond("application/json", TestData.Read("mistral-keys-page.json"));

        var keys = new List<ProviderKeyInfo>();
        await foreach (var key in _host.Adapter.ListKeysAsync(Context))
        {
            keys.Add(key);
        }

        _mock.VerifyNoOutstandingExpectation();
        keys.Should().HaveCount(2, "a page shorter than the limit is the last");
        keys[0].ProviderKeyId.Should().Be("7d9c2b0e-1f3a-4c6d-8e9f-0a1b2c3d4e5f");
        keys[0].Name.Should().Be("ironcage-prod-1");
        keys[0].DisplayHint.Should().Be("Xm9a****************************kQ2b");
        keys[0].Status.Should().Be(ProviderKeyStatus.Active);
        keys[0].CreatedAt.Should().Be(Instant.FromUtc(2026, 10, 1, 8, 30));
        keys[1].Status.Should().Be(ProviderKeyStatus.Expired);
    }

    [Fact]
    public async Task VerifyAsync_GetsModelsWithTheKeyAsBearer()
    {
        using var key = FakeKeys.Generate(ProviderId.Mistral);
        _mock.Expect(HttpMethod.Get, Inference + "models").WithHeaders("Authorization", "Bearer " + key.Reveal()).Respond("application/json", TestData.Read("mistral-models.json"));

        (await _host.Adapter.VerifyAsync(Context, key)).IsValid.Should().BeTrue();
        _mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task VerifyAsync_Unauthorized401_IsAmbiguousBetweenInvalidKeyAndExhaustedQuota()
    {
        using var key = FakeKeys.Generate(ProviderId.Mistral);
        _mock.Expect(HttpMethod.Get, Inference + "models").Respond(HttpStatusCode.Unauthorized, "application/json", TestData.Read("mistral-401.json"));

        var result = await _host.Adapter.VerifyAsync(Context, key);

        result.IsValid.Should().BeFalse();
        result.IsAmbiguous.Should().BeTrue();
        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        result.Message.Should().Contain("exhausted quota").And.NotContain(key.Reveal());
    }

    [Fact]
    public async Task ListKeysAsync_Unauthorized401_ThrowsAnAmbiguousException()
    {
        _mock.When(HttpMethod.Get, Admin + "api-keys?limit=100&offset=0").Respond(HttpStatusCode.Unauthorized, "application/json", TestData.Read("mistral-401.json"));

        var act = async () =>
        {
            await foreach (var unused in _host.Adapter.ListKeysAsync(Context))
            {
            }
        };

        var thrown = (await act.Should().ThrowAsync<ProviderRequestException>()).Which;
        thrown.IsAmbiguous.Should().BeTrue();
        thrown.Message.Should().NotContain(_adminKey);
    }

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task ErrorAnswer_IsClassified(int status, string kind)
    {
        _mock.When(HttpMethod.Post, Admin + "api-keys").Respond((HttpStatusCode)status, "application/json", TestData.Read($"mistral-{status}.json"));

        var act = () => _host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = "n" });

        var thrown = (await act.Should().ThrowAsync<ProviderRequestException>()).Which;
        thrown.Kind.Should().Be(new ProviderErrorKind(kind));
        thrown.StatusCode.Should().Be(status);
        thrown.Message.Should().NotContain(_adminKey);
    }

    [Fact]
    public void Capabilities_ClaimNoDeleteOrDeactivate()
    {
        _host.Adapter.Capabilities.Should().Be(ProviderCapabilities.Create | ProviderCapabilities.List | ProviderCapabilities.Expiry | ProviderCapabilities.Verify);
    }

    public void Dispose()
    {
        _host.Dispose();
        _mock.Dispose();
    }
}
