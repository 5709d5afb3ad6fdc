using System.Net;
using IronCage.Providers.Fireworks;
using IronCage.Providers.Tests;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;
using RichardSzalay.MockHttp;

namespace IronCage.Providers.Fireworks.Tests;

/// <summary>Every Fireworks call as PROVIDERS.md §8 and the Gateway REST API reference give it, and its error answers classified.</summary>
public sealed class FireworksWireTests : IDisposable
{
    private const string Keys = "https://api.fireworks.ai/v1/accounts/acme/users/ci-bot/apiKeys";
    private readonly string _managementKey = FakeKeys.GenerateText(ProviderId.Fireworks);
    private readonly MockHttpMessageHandler _mock = new();
    private readonly ProviderHost _host;

    public FireworksWireTests()
    {
        _host = new ProviderHost(b => b.AddFireworks("fireworks", o => { o.ManagementKey = _managementKey; o.AccountId = "acme"; o.UserId = "ci-bot"; o.MaxRetries = 1; o.RetryDelay = TimeSpan.FromMilliseconds(1); }), FireworksConstants.HttpClientName, _mock);
    }

    public static TheoryData<int, string> Errors => new()
    {
        { 401, "InvalidKey" },
        { 403, "Forbidden" },
        { 429, "RateLimited" },
        { 500, "Transient" },
    };

    private static ProviderKeyContext Context => new() { Key = new KeyReference(ProviderId.Fireworks, "prod") };

    [Fact]
    public async Task CreateKeyAsync_PostsTheApiKeyWithDisplayNameAndExpireTime_AndReportsTheExpiry()
    {
        _mock.Expect(HttpMethod.Post, Keys)
            .WithHeaders("Authorization", "Bearer " + _managementKey)
            .With(r => r.Content?.Headers.ContentType?.ToString() == "application/json")
            .WithContent("""{"apiKey":{"displayName":"ironcage-prod-1","expireTime":"2026-12-01T09:00:00Z"}}""")
            .Respond("application/json", TestData.Read("fireworks-key-created.json"));

        using var created = await _host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = "ironcage-prod-1", ExpiresAt = Instant.FromUtc(2026, 12, 1, 9, 0) });

        _mock.VerifyNoOutstandingExpectation();
        created.ProviderKeyId.Should().Be("k7n2c4q9x1m5");
        created.Name.Should().Be("ironcage-prod-1");
        created.Secret.Reveal().Should().Be("fw3hM9qTz2LkV8bN4xYc6RpW1sJd5GfA7uKe");
        created.ExpiresAt.Should().Be(Instant.FromUtc(2026, 12, 1, 9, 0));
        created.Metadata[FireworksConstants.PrefixMetadataKey].Should().Be("fw3hM9");
        created.Metadata[FireworksConstants.UserIdMetadataKey].Should().Be("ci-bot");
        _host.Logs.ShouldNotContainAny([_managementKey, created.Secret.Reveal()]);
    }

    [Fact]
    public async Task CreateKeyAsync_WithoutExpiry_SendsOnlyTheDisplayName_ForTheScopedUser()
    {
        _mock.Expect(HttpMethod.Post, "https://api.fireworks.ai/v1/accounts/acme/users/svc-batch/apiKeys").WithContent("""{"apiKey":{"displayName":"n"}}""").Respond("application/json", TestData.Read("fireworks-key-created.json"));
        var context = Context with { Scope = new Dictionary<string, string> { [FireworksConstants.UserIdScopeKey] = "svc-batch" } };

        using var created = await _host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = context, Name = "n" });

        _mock.VerifyNoOutstandingExpectation();
        created.Metadata[FireworksConstants.UserIdMetadataKey].Should().Be("svc-batch");
    }

    [Fact]
    public async Task CreateKeyAsync_Answered500_IsSentOnce()
    {
        var creates = 0;
        _mock.When(HttpMethod.Post, Keys).Respond(_ =>
        {
            creates++;
            return new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent(TestData.Read("fireworks-500.json")) };
        });

        var act = () => _host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = "n" });

        (await act.Should().ThrowAsync<ProviderRequestException>()).Which.Kind.Should().Be(ProviderErrorKind.Transient);
        creates.Should().Be(1, "a create may have acted before the 500; the engine looks for it by name instead of resending");
    }

    [Fact]
    public async Task ListKeysAsync_FollowsNextPageTokenUntilItIsEmpty()
    {
        _mock.Expect(HttpMethod.Get, Keys + "?pageSize=100").WithHeaders("Authorization", "Bearer " + _managementKey).Respond("application/json", TestData.Read("fireworks-keys-page1.json"));
        _mock.Expect(HttpMethod.Get, Keys + "?pageSize=100&pageToken=1").Respond("application/json", TestData.Read("fireworks-keys-page2.json"));

        var keys = new List<ProviderKeyInfo>();
        await foreach (var key in _host.Adapter.ListKeysAsync(Context))
        {
            keys.Add(key);
        }

        _mock.VerifyNoOutstandingExpectation();
        keys.Select(k => k.ProviderKeyId).Should().Equal("k7n2c4q9x1m5", "a1b2c3d4e5f6");
        keys[0].Name.Should().Be("ironcage-prod-1");
        keys[0].DisplayHint.Should().Be("fw3hM9...");
        keys[0].Status.Should().Be(ProviderKeyStatus.Active);
        keys[0].CreatedAt.Should().Be(Instant.FromUtc(2026, 11, 1, 9, 0, 1));
        keys[0].ExpiresAt.Should().Be(Instant.FromUtc(2026, 12, 1, 9, 0));
        keys[0].Metadata[FireworksConstants.EmailMetadataKey].Should().Be("ci-bot@example.com");
        keys[1].Status.Should().Be(ProviderKeyStatus.Expired, "its expireTime is before the clock's now");
    }

    [Fact]
    public async Task ListKeysAsync_ARepeatedPageToken_StopsInsteadOfLooping()
    {
        _mock.When(HttpMethod.Get, Keys + "?pageSize=100").Respond("application/json", TestData.Read("fireworks-keys-page1.json"));
        _mock.When(HttpMethod.Get, Keys + "?pageSize=100&pageToken=1").Respond("application/json", TestData.Read("fireworks-keys-page1.json"));

        var keys = new List<ProviderKeyInfo>();
        await foreach (var key in _host.Adapter.ListKeysAsync(Context))
        {
            keys.Add(key);
        }

        keys.Should().HaveCount(2, "the second page repeated the token '1' (the reference says paging is still to be added)");
    }

    [Fact]
    public async Task DeleteKeyAsync_PostsTheCustomDeleteVerbWithTheKeyId_AndAGoneKeyIsFine()
    {
        _mock.Expect(HttpMethod.Post, Keys + ":delete").WithHeaders("Authorization", "Bearer " + _managementKey).WithContent("""{"keyId":"k7n2c4q9x1m5"}""").Respond("application/json", TestData.Read("fireworks-key-deleted.json"));
        _mock.Expect(HttpMethod.Post, Keys + ":delete").WithContent("""{"keyId":"k7n2c4q9x1m5"}""").Respond(HttpStatusCode.NotFound, "application/json", TestData.Read("fireworks-404.json"));

        await _host.Adapter.DeleteKeyAsync(Context, "k7n2c4q9x1m5");
        await _host.Adapter.DeleteKeyAsync(Context, "k7n2c4q9x1m5");

        _mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task VerifyAsync_ListsTheInferenceModels()
    {
        using var key = FakeKeys.Generate(ProviderId.Fireworks);
        _mock.Expect(HttpMethod.Get, "https://api.fireworks.ai/inference/v1/models").WithHeaders("Authorization", "Bearer " + key.Reveal()).Respond("application/json", TestData.Read("fireworks-models.json"));

        (await _host.Adapter.VerifyAsync(Context, key)).IsValid.Should().BeTrue();
        _mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task VerifyAsync_A200WithoutTheModelsList_IsNotValid()
    {
        using var key = FakeKeys.Generate(ProviderId.Fireworks);
        _mock.When(HttpMethod.Get, "https://api.fireworks.ai/inference/v1/models").Respond("text/html", "<html>captive portal</html>");

        (await _host.Adapter.VerifyAsync(Context, key)).IsValid.Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task ErrorAnswer_IsClassified(int status, string kind)
    {
        _mock.When(HttpMethod.Get, Keys + "?pageSize=100").Respond((HttpStatusCode)status, "application/json", TestData.Read($"fireworks-{status}.json"));

        var act = async () =>
        {
            await foreach (var unused in _host.Adapter.ListKeysAsync(Context))
            {
            }
        };

        var thrown = (await act.Should().ThrowAsync<ProviderRequestException>()).Which;
        thrown.Kind.Should().Be(new ProviderErrorKind(kind));
        thrown.StatusCode.Should().Be(status);
        thrown.Message.Should().NotContain(_managementKey);
    }

    [Fact]
    public void Options_WithoutAccountOrUser_StopStartUpNamingTheConfigurationKeys()
    {
        using var host = new ProviderHost(b => b.AddFireworks("fireworks", o => { o.ManagementKey = _managementKey; o.UserId = "a/b"; o.ConfigurationPath = "IronCage:Fireworks"; }), FireworksConstants.HttpClientName);

        var act = () => host.Services.GetRequiredService<IOptionsMonitor<FireworksProviderOptions>>().Get("fireworks");

        var failures = act.Should().Throw<OptionsValidationException>().Which.Failures.ToList();
        failures.Should().Contain(f => f.Contains("IronCage:Fireworks:AccountId", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("IronCage:Fireworks:UserId", StringComparison.Ordinal) && f.Contains("not a plain id", StringComparison.Ordinal));
        failures.Should().NotContain(f => f.Contains(_managementKey, StringComparison.Ordinal));
    }

    public void Dispose()
    {
        _host.Dispose();
        _mock.Dispose();
    }
}
