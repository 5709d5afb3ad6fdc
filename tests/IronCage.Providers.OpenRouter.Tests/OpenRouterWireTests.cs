using System.Net;
using IronCage.Providers.OpenRouter;
using IronCage.Providers.Tests;
using IronCage.Testing;
using NodaTime;
using RichardSzalay.MockHttp;

namespace IronCage.Providers.OpenRouter.Tests;

/// <summary>Every OpenRouter call as PROVIDERS.md §6 gives it, and its error answers classified.</summary>
public sealed class OpenRouterWireTests : IDisposable
{
    private const string Api = "https://openrouter.ai/api/v1/";
    private const string Hash = "f01d52606dc8f0a8303a7b5cc3fa07109c2e346cec7c0a16b40de462992ce943";
    private readonly string _managementKey = FakeKeys.GenerateText(ProviderId.OpenRouter, KeyKind.Admin);
    private readonly MockHttpMessageHandler _mock = new();
    private readonly ProviderHost _host;

    public OpenRouterWireTests()
    {
        _host = new ProviderHost(b => b.AddOpenRouter("openrouter", o => { o.ManagementKey = _managementKey; o.MaxRetries = 1; o.RetryDelay = TimeSpan.FromMilliseconds(1); }), OpenRouterConstants.HttpClientName, _mock);
    }

    private static ProviderKeyContext Context => new() { Key = new KeyReference(ProviderId.OpenRouter, "prod"), Scope = new Dictionary<string, string> { ["workspace_id"] = "0df9e665-d932-4b2e-8c9a-6f1d0c6e3a11" } };

    public static TheoryData<int, string> Errors => new()
    {
        { 401, "InvalidKey" },
        { 402, "QuotaExhausted" },
        { 403, "Forbidden" },
        { 429, "RateLimited" },
        { 500, "Transient" },
    };

    [Fact]
    public async Task CreateKeyAsync_SendsLimitResetExpiryAndWorkspace()
    {
        _mock.Expect(HttpMethod.Post, Api + "keys")
            .WithHeaders("Authorization", "Bearer " + _managementKey)
            .With(r => r.Content?.Headers.ContentType?.ToString() == "application/json")
            .WithContent("""{"name":"ironcage-prod-1","limit":25,"limit_reset":"monthly","expires_at":"2026-12-01T09:00:00Z","workspace_id":"0df9e665-d932-4b2e-8c9a-6f1d0c6e3a11"}""")
            .Respond(HttpStatusCode.Created, "application/json", TestData.Read("openrouter-key-created.json"));
        var limits = new UsageLimits { Limits = [new UsageLimit(UsageMetric.Cost, UsageWindow.Day, 5m), new UsageLimit(UsageMetric.Cost, UsageWindow.Month, 25m)] };

        using var created = await _host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = "ironcage-prod-1", Limits = limits, ExpiresAt = Instant.FromUtc(2026, 12, 1, 9, 0) });

        _mock.VerifyNoOutstandingExpectation();
        created.ProviderKeyId.Should().Be(Hash);
        created.Secret.Reveal().Should().Be("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");
        created.ExpiresAt.Should().Be(Instant.FromUtc(2026, 12, 1, 9, 0));
        created.Metadata[OpenRouterConstants.LimitMetadataKey].Should().Be("25");
        created.Metadata[OpenRouterConstants.LimitResetMetadataKey].Should().Be("monthly");
        _host.Logs.ShouldNotContainAny([_managementKey, created.Secret.Reveal()]);
    }

    [Fact]
    public async Task CreateKeyAsync_WithoutLimitsOrExpiry_SendsOnlyTheName()
    {
        _mock.Expect(HttpMethod.Post, Api + "keys").WithContent("""{"name":"n"}""").Respond(HttpStatusCode.Created, "application/json", TestData.Read("openrouter-key-created.json"));

        using var created = await _host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = new ProviderKeyContext { Key = Context.Key }, Name = "n" });

        _mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task ListKeysAsync_PagesWithOffsetUntilAnEmptyPage()
    {
        _mock.Expect(HttpMethod.Get, Api + "keys?include_disabled=true&offset=0&workspace_id=0df9e665-d932-4b2e-8c9a-6f1d0c6e3a11").WithHeaders("Authorization", "Bearer " + _managementKey).Respond("application/json", TestData.Read("openrouter-keys-page1.json"));
        _mock.Expect(HttpMethod.Get, Api + "keys?include_disabled=true&offset=1&workspace_id=0df9e665-d932-4b2e-8c9a-6f1d0c6e3a11").Respond("application/json", TestData.Read("openrouter-keys-empty.json"));

        var keys = new List<ProviderKeyInfo>();
        await foreach (var key in _host.Adapter.ListKeysAsync(Context))
        {
            keys.Add(key);
        }

        _mock.VerifyNoOutstandingExpectation();
        var only = keys.Should().ContainSingle().Subject;
        only.ProviderKeyId.Should().Be(Hash);
        only.Name.Should().Be("Production Key");
        only.DisplayHint.Should().Be("sk-or-v1-0e6...1c96");
        only.Status.Should().Be(ProviderKeyStatus.Active);
    }

    [Fact]
    public async Task DeactivateKeyAsync_PatchesDisabledTrue()
    {
        _mock.Expect(HttpMethod.Patch, Api + "keys/" + Hash)
            .WithHeaders("Authorization", "Bearer " + _managementKey)
            .WithContent("""{"disabled":true}""")
            .Respond("application/json", TestData.Read("openrouter-key-disabled.json"));

        await _host.Adapter.DeactivateKeyAsync(Context, Hash);

        _mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task DeleteKeyAsync_SendsDeleteAndAGoneKeyIsFine()
    {
        _mock.Expect(HttpMethod.Delete, Api + "keys/" + Hash).Respond("application/json", TestData.Read("openrouter-key-deleted.json"));
        _mock.Expect(HttpMethod.Delete, Api + "keys/" + Hash).Respond(HttpStatusCode.NotFound, "application/json", """{"error":{"code":404,"message":"Key not found"}}""");

        await _host.Adapter.DeleteKeyAsync(Context, Hash);
        await _host.Adapter.DeleteKeyAsync(Context, Hash);

        _mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task GetReportedUsageAsync_ReadsTheKeysUsageFields()
    {
        _mock.Expect(HttpMethod.Get, Api + "keys/" + Hash).Respond("application/json", TestData.Read("openrouter-key.json"));
        var reporter = (IProviderUsageReporter)_host.Adapter;

        var usage = await reporter.GetReportedUsageAsync(Context, Hash);

        usage!.Total.Should().Be(25.5m);
        usage.Daily.Should().Be(1.25m);
        usage.Weekly.Should().Be(7.5m);
        usage.Monthly.Should().Be(25.5m);
        usage.Limit.Should().Be(100m);
        usage.LimitRemaining.Should().Be(74.5m);
        usage.Currency.Should().Be("USD");
        usage.ObservedAt.Should().Be(_host.Clock.GetCurrentInstant());
    }

    [Fact]
    public async Task VerifyAsync_GetsTheCurrentKey()
    {
        using var key = FakeKeys.Generate(ProviderId.OpenRouter);
        _mock.Expect(HttpMethod.Get, Api + "key").WithHeaders("Authorization", "Bearer " + key.Reveal()).Respond("application/json", TestData.Read("openrouter-current-key.json"));

        (await _host.Adapter.VerifyAsync(Context, key)).IsValid.Should().BeTrue();
        _mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task VerifyAsync_ManagementKeyThatIsNotOne_IsForbidden()
    {
        using var key = FakeKeys.Generate(ProviderId.OpenRouter);
        _mock.Expect(HttpMethod.Get, Api + "key").Respond("application/json", TestData.Read("openrouter-current-key.json"));

        var result = await _host.Adapter.VerifyAsync(Context with { Kind = KeyKind.Admin }, key);

        result.ErrorKind.Should().Be(ProviderErrorKind.Forbidden, "is_management_key is false");
    }

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task ErrorAnswer_IsClassified(int status, string kind)
    {
        _mock.When(HttpMethod.Get, Api + "keys/" + Hash).Respond((HttpStatusCode)status, "application/json", TestData.Read($"openrouter-{status}.json"));

        var act = () => _host.Adapter.GetKeyAsync(Context, Hash);

        var thrown = (await act.Should().ThrowAsync<ProviderRequestException>()).Which;
        thrown.Kind.Should().Be(new ProviderErrorKind(kind));
        thrown.StatusCode.Should().Be(status);
        thrown.Message.Should().NotContain(_managementKey);
    }

    [Fact]
    public void SpendLimit_PrefersTheMonthlyHardCostLimit()
    {
        OpenRouterProviderAdapter.SpendLimit(new UsageLimits { Limits = [new UsageLimit(UsageMetric.Cost, UsageWindow.Day, 5m)] }).Should().Be((5m, "daily"));
        OpenRouterProviderAdapter.SpendLimit(new UsageLimits { Limits = [new UsageLimit(UsageMetric.Tokens, UsageWindow.Month, 5m), new UsageLimit(UsageMetric.Cost, UsageWindow.Month, 9m, LimitEnforcement.Soft)] }).Should().Be(((decimal?)null, (string?)null));
        OpenRouterProviderAdapter.SpendLimit(null).Should().Be(((decimal?)null, (string?)null));
    }

    public void Dispose()
    {
        _host.Dispose();
        _mock.Dispose();
    }
}
