using System.Net;
using IronCage.Providers.OpenAI;
using IronCage.Providers.Tests;
using IronCage.Testing;
using RichardSzalay.MockHttp;

namespace IronCage.Providers.OpenAI.Tests;

/// <summary>OpenAI's error answers classified (PROVIDERS.md §1.5), resilience, and no secret in a message or log.</summary>
public sealed class OpenAIErrorTests : IDisposable
{
    private const string Url = "https://api.openai.com/v1/organization/admin_api_keys/key_abc";
    private readonly string _adminKey = FakeKeys.GenerateText(ProviderId.OpenAI, KeyKind.Admin);
    private readonly MockHttpMessageHandler _mock = new();
    private readonly ProviderHost _host;

    public OpenAIErrorTests()
    {
        _host = new ProviderHost(b => b.AddOpenAI("openai", o => { o.AdminKey = _adminKey; o.MaxRetries = 2; o.RetryDelay = TimeSpan.FromMilliseconds(1); }), OpenAIConstants.HttpClientName, _mock);
    }

    private static ProviderKeyContext Admin => new() { Key = new KeyReference(ProviderId.OpenAI, "admin"), Kind = KeyKind.Admin };

    public static TheoryData<int, string, string, string?> Table => new()
    {
        { 401, "openai-401-invalid-api-key.json", "InvalidKey", "invalid_api_key" },
        // Core's scrubber redacts codes of 32+ characters as possible keys, so this code is not compared (see the report).
        { 403, "openai-403-region.json", "Forbidden", null },
        { 429, "openai-429-rate-limit.json", "RateLimited", "rate_limit_exceeded" },
        { 429, "openai-429-insufficient-quota.json", "QuotaExhausted", "insufficient_quota" },
        { 400, "openai-400-service-account-key.json", "BadRequest", "invalid_request_error" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public async Task ErrorAnswer_IsClassified(int status, string body, string kind, string? code)
    {
        _mock.When(HttpMethod.Get, Url).Respond((HttpStatusCode)status, "application/json", TestData.Read(body));

        var act = () => _host.Adapter.GetKeyAsync(Admin, "key_abc");

        var thrown = (await act.Should().ThrowAsync<ProviderRequestException>()).Which;
        thrown.Kind.Should().Be(new ProviderErrorKind(kind));
        thrown.StatusCode.Should().Be(status);
        if (code is not null)
        {
            thrown.ProviderErrorCode.Should().Be(code);
        }

        thrown.Provider.Should().Be(ProviderId.OpenAI);
        thrown.Message.Should().NotContain(_adminKey);
    }

    [Fact]
    public async Task RateLimit_ExposesRetryAfterAndRateLimitHeaders()
    {
        _mock.When(HttpMethod.Get, Url).Respond(_ =>
        {
            var answer = new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Content = new StringContent(TestData.Read("openai-429-rate-limit.json")) };
            answer.Headers.Add("retry-after", "7");
            answer.Headers.Add("x-ratelimit-remaining-requests", "0");
            answer.Headers.Add("x-ratelimit-reset-requests", "6m0s");
            answer.Headers.Add("x-request-id", "req_123");
            return answer;
        });

        var act = () => _host.Adapter.GetKeyAsync(Admin, "key_abc");

        var thrown = (await act.Should().ThrowAsync<ProviderRequestException>()).Which;
        thrown.Kind.Should().Be(ProviderErrorKind.RateLimited);
        thrown.RetryAfter.Should().Be(TimeSpan.FromSeconds(7));
        thrown.RequestId.Should().Be("req_123");
        thrown.Data["x-ratelimit-remaining-requests"].Should().Be("0");
        thrown.Data["x-ratelimit-reset-requests"].Should().Be("6m0s");
    }

    [Fact]
    public async Task ServerError_IsRetriedThenSucceeds()
    {
        var calls = 0;
        _mock.When(HttpMethod.Get, Url).Respond(_ => ++calls < 3
            ? new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent(TestData.Read("openai-500-server-error.json")) }
            : new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(TestData.Read("openai-admin-key-created.json")) });

        var key = await _host.Adapter.GetKeyAsync(Admin, "key_abc");

        key!.ProviderKeyId.Should().Be("key_xyz");
        calls.Should().Be(3, "two transient failures are retried");
    }

    [Fact]
    public async Task ServerError_AfterTheLastRetry_IsTransient()
    {
        var request = _mock.When(HttpMethod.Get, Url).Respond(HttpStatusCode.ServiceUnavailable, "application/json", TestData.Read("openai-500-server-error.json"));

        var act = () => _host.Adapter.GetKeyAsync(Admin, "key_abc");

        (await act.Should().ThrowAsync<ProviderRequestException>()).Which.Kind.Should().Be(ProviderErrorKind.Transient);
        _mock.GetMatchCount(request).Should().Be(3);
    }

    [Fact]
    public async Task InvalidKey_IsNotRetried()
    {
        var request = _mock.When(HttpMethod.Get, Url).Respond(HttpStatusCode.Unauthorized, "application/json", TestData.Read("openai-401-invalid-api-key.json"));

        var act = () => _host.Adapter.GetKeyAsync(Admin, "key_abc");

        (await act.Should().ThrowAsync<ProviderRequestException>()).Which.Message.Should().Contain("OpenAIProviderOptions.AdminKey");
        _mock.GetMatchCount(request).Should().Be(1);
    }

    [Fact]
    public async Task NetworkFailure_IsTransientAndNamesNoSecret()
    {
        _mock.When(HttpMethod.Get, Url).Throw(new HttpRequestException("Connection refused"));

        var act = () => _host.Adapter.GetKeyAsync(Admin, "key_abc");

        var thrown = (await act.Should().ThrowAsync<ProviderRequestException>()).Which;
        thrown.Kind.Should().Be(ProviderErrorKind.Transient);
        thrown.StatusCode.Should().BeNull();
    }

    [Fact]
    public async Task VerifyAsync_InvalidKey_ReturnsInvalidKeyAndNeverEchoesIt()
    {
        using var key = FakeKeys.Generate(ProviderId.OpenAI);
        var echo = TestData.Read("openai-401-invalid-api-key.json").Replace("sk-admin-********************1234", key.Reveal(), StringComparison.Ordinal);
        _mock.When(HttpMethod.Get, "https://api.openai.com/v1/models").Respond(HttpStatusCode.Unauthorized, "application/json", echo);

        var result = await _host.Adapter.VerifyAsync(new ProviderKeyContext { Key = new KeyReference(ProviderId.OpenAI, "prod") }, key);

        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        result.Message.Should().NotContain(key.Reveal());
        _host.Logs.ShouldNotContainAny([key.Reveal(), _adminKey]);
    }

    public void Dispose()
    {
        _host.Dispose();
        _mock.Dispose();
    }
}
