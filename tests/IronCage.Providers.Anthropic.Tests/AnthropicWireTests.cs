using System.Net;
using IronCage.Providers.Anthropic;
using IronCage.Providers.Tests;
using IronCage.Testing;
using NodaTime;
using RichardSzalay.MockHttp;

namespace IronCage.Providers.Anthropic.Tests;

/// <summary>Every Anthropic call as PROVIDERS.md §2 gives it, and its error answers classified.</summary>
public sealed class AnthropicWireTests : IDisposable
{
    private const string Api = "https://api.anthropic.com/v1/";
    private readonly string _adminKey = FakeKeys.GenerateText(ProviderId.Anthropic, KeyKind.Admin);
    private readonly MockHttpMessageHandler _mock = new();
    private readonly ProviderHost _host;

    public AnthropicWireTests()
    {
        _host = new ProviderHost(b => b.AddAnthropic("anthropic", o => { o.AdminKey = _adminKey; o.MaxRetries = 1; o.RetryDelay = TimeSpan.FromMilliseconds(1); }), AnthropicConstants.HttpClientName, _mock);
    }

    private static ProviderKeyContext Context => new() { Key = new KeyReference(ProviderId.Anthropic, "prod"), Scope = new Dictionary<string, string> { ["workspace_id"] = "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ" } };

    public static TheoryData<int, string, string> Errors => new()
    {
        { 401, "anthropic-401-authentication_error.json", "InvalidKey" },
        { 403, "anthropic-403-permission_error.json", "Forbidden" },
        { 404, "anthropic-404-not_found_error.json", "NotFound" },
        { 429, "anthropic-429-rate_limit_error.json", "RateLimited" },
        { 500, "anthropic-500-api_error.json", "Transient" },
        { 529, "anthropic-529-overloaded_error.json", "Transient" },
    };

    [Fact]
    public async Task ListKeysAsync_PagesWithAfterIdAndFiltersAndMapsTheHintAndExpiry()
    {
        _mock.Expect(HttpMethod.Get, Api + "organizations/api_keys?limit=100&workspace_id=wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ")
            .WithHeaders("x-api-key", _adminKey)
            .WithHeaders("anthropic-version", "2023-06-01")
            .Respond("application/json", TestData.Read("anthropic-api-keys-page1.json"));
        _mock.Expect(HttpMethod.Get, Api + "organizations/api_keys?limit=100&workspace_id=wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ&after_id=apikey_01Rj2N8SVvo6BePZj99NhmiT")
            .Respond("application/json", TestData.Read("anthropic-api-keys-page2.json"));

        var keys = new List<ProviderKeyInfo>();
        await foreach (var key in _host.Adapter.ListKeysAsync(Context))
        {
            keys.Add(key);
        }

        _mock.VerifyNoOutstandingExpectation();
        keys.Should().HaveCount(2);
        keys[0].ProviderKeyId.Should().Be("apikey_01Rj2N8SVvo6BePZj99NhmiT");
        keys[0].DisplayHint.Should().Be("sk-ant-api03-R2D...igAA");
        keys[0].Status.Should().Be(ProviderKeyStatus.Active);
        keys[0].ExpiresAt.Should().Be(Instant.FromUtc(2027, 1, 1, 0, 0));
        keys[0].CreatedAt.Should().NotBeNull();
        keys[0].Metadata["workspace_id"].Should().Be("wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ");
        keys[1].Status.Should().Be(ProviderKeyStatus.Deleted, "archived keys are gone for good");
        keys[1].ExpiresAt.Should().BeNull();
    }

    [Fact]
    public async Task DeactivateKeyAsync_PostsStatusInactive()
    {
        _mock.Expect(HttpMethod.Get, Api + "organizations/api_keys/apikey_01Rj2N8SVvo6BePZj99NhmiT").Respond("application/json", TestData.Read("anthropic-api-key-active.json"));
        _mock.Expect(HttpMethod.Post, Api + "organizations/api_keys/apikey_01Rj2N8SVvo6BePZj99NhmiT")
            .WithHeaders("x-api-key", _adminKey)
            .WithHeaders("anthropic-version", "2023-06-01")
            .With(r => r.Content?.Headers.ContentType?.ToString() == "application/json")
            .WithContent("""{"status":"inactive"}""")
            .Respond("application/json", TestData.Read("anthropic-api-key-inactive.json"));

        await _host.Adapter.DeactivateKeyAsync(Context, "apikey_01Rj2N8SVvo6BePZj99NhmiT");

        _mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task DeactivateKeyAsync_WithArchiveOption_PostsStatusArchived()
    {
        using var mock = new MockHttpMessageHandler();
        using var host = new ProviderHost(b => b.AddAnthropic("anthropic", o => { o.AdminKey = _adminKey; o.ArchiveOnDeactivate = true; }), AnthropicConstants.HttpClientName, mock);
        mock.Expect(HttpMethod.Get, Api + "organizations/api_keys/apikey_01Rj2N8SVvo6BePZj99NhmiT").Respond("application/json", TestData.Read("anthropic-api-key-inactive.json"));
        mock.Expect(HttpMethod.Post, Api + "organizations/api_keys/apikey_01Rj2N8SVvo6BePZj99NhmiT").WithContent("""{"status":"archived"}""").Respond("application/json", TestData.Read("anthropic-api-key-inactive.json"));

        await host.Adapter.DeactivateKeyAsync(Context, "apikey_01Rj2N8SVvo6BePZj99NhmiT");

        mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task DeactivateKeyAsync_AlreadyInactive_SendsNoUpdate()
    {
        _mock.Expect(HttpMethod.Get, Api + "organizations/api_keys/apikey_01Rj2N8SVvo6BePZj99NhmiT").Respond("application/json", TestData.Read("anthropic-api-key-inactive.json"));

        await _host.Adapter.DeactivateKeyAsync(Context, "apikey_01Rj2N8SVvo6BePZj99NhmiT");

        _mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task VerifyAsync_GetsModelsWithTheKeyAndVersion()
    {
        using var key = FakeKeys.Generate(ProviderId.Anthropic);
        _mock.Expect(HttpMethod.Get, Api + "models").WithHeaders("x-api-key", key.Reveal()).WithHeaders("anthropic-version", "2023-06-01").Respond("application/json", TestData.Read("anthropic-models.json"));

        (await _host.Adapter.VerifyAsync(Context, key)).IsValid.Should().BeTrue();
        _mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task CreateKeyAsync_IsNotSupported_AndSaysWhatToDo()
    {
        var act = () => _host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = "x" });

        (await act.Should().ThrowAsync<NotSupportedByProviderException>()).Which.Capability.Should().Be(ProviderCapabilities.Create);
    }

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task ErrorAnswer_IsClassifiedWithItsTypeAndRequestId(int status, string body, string kind)
    {
        _mock.When(HttpMethod.Get, Api + "organizations/api_keys/apikey_x").Respond(_ =>
        {
            var answer = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(TestData.Read(body)) };
            answer.Headers.Add("request-id", "req_011CSHoEeqs5C35K2UUqR7Fy");
            if (status == 429)
            {
                answer.Headers.Add("retry-after", "3");
            }

            return answer;
        });

        var act = () => _host.Adapter.GetKeyAsync(Context, "apikey_x");

        if (kind == "NotFound")
        {
            (await _host.Adapter.GetKeyAsync(Context, "apikey_x")).Should().BeNull("an unknown key reads as null");
            return;
        }

        var thrown = (await act.Should().ThrowAsync<ProviderRequestException>()).Which;
        thrown.Kind.Should().Be(new ProviderErrorKind(kind));
        thrown.StatusCode.Should().Be(status);
        thrown.ProviderErrorCode.Should().Be(Path.GetFileNameWithoutExtension(body).Split('-')[2]);
        thrown.RequestId.Should().Be("req_011CSHoEeqs5C35K2UUqR7Fy");
        if (status == 429)
        {
            thrown.RetryAfter.Should().Be(TimeSpan.FromSeconds(3));
        }

        thrown.Message.Should().NotContain(_adminKey);
        _host.Logs.ShouldNotContainAny([_adminKey]);
    }

    public void Dispose()
    {
        _host.Dispose();
        _mock.Dispose();
    }
}
