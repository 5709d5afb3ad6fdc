using System.Net;
using IronCage.Http.Tests.Support;
using IronCage.Providers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Http.Tests;

/// <summary>
/// A key never follows a redirect to another origin: the provider's origin answers 301/302/307/308 pointing at a second
/// loopback origin, for every auth scheme the catalog knows, and the second origin must never see the key.
/// </summary>
public sealed class RedirectTests : IAsyncLifetime
{
    private static readonly ProviderId QueryKeyProvider = new("query-key-gateway");

    private LoopbackOrigin _provider = null!;
    private LoopbackOrigin _elsewhere = null!;

    public static TheoryData<string, int> SchemesAndRedirects()
    {
        var data = new TheoryData<string, int>();
        foreach (var provider in new[] { "openai", "anthropic", "azure-openai", "google-gemini", QueryKeyProvider.Value })
        {
            foreach (var status in new[] { 301, 302, 307, 308 })
            {
                data.Add(provider, status);
            }
        }

        return data;
    }

    public async Task InitializeAsync()
    {
        _provider = await LoopbackOrigin.StartAsync();
        _elsewhere = await LoopbackOrigin.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        await _elsewhere.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(SchemesAndRedirects))]
    public async Task Send_RedirectToAnotherOrigin_NeverCarriesTheKeyThere(string provider, int status)
    {
        RedirectTo(status);
        using var harness = Harness(provider, s => s.AddHttpClient("llm").AddIronCageKey($"{provider}/prod"));
        var secret = harness.NewSecret(new ProviderId(provider));
        await harness.AddKeyAsync($"{provider}/prod", secret);

        using var response = await harness.CreateClient("llm").PostAsync(_provider.At("/v1/models"), new StringContent("{}"));

        ((int)response.StatusCode).Should().Be(status, "the redirect goes back to the caller instead of being followed");
        _provider.Seen.Should().ContainSingle().Which.Carries(secret).Should().BeTrue("the provider's own origin gets the key");
        _elsewhere.Seen.Should().BeEmpty("no request, let alone the key, reaches the origin the redirect names");
    }

    [Theory]
    [InlineData("anthropic")]
    [InlineData(nameof(QueryKeyProvider))]
    public async Task Send_HostReplacedThePrimaryHandlerAfterAddIronCageKey_StillDoesNotFollowTheRedirect(string provider)
    {
        provider = provider == nameof(QueryKeyProvider) ? QueryKeyProvider.Value : provider;
        RedirectTo(302);
        using var harness = Harness(provider, s => s.AddHttpClient("llm")
            .AddIronCageKey($"{provider}/prod")
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = true }));
        var secret = harness.NewSecret(new ProviderId(provider));
        await harness.AddKeyAsync($"{provider}/prod", secret);

        using var response = await harness.CreateClient("llm").GetAsync(_provider.At("/v1/models"));

        response.StatusCode.Should().Be(HttpStatusCode.Found);
        _elsewhere.Seen.Should().BeEmpty();
    }

    [Fact]
    public async Task EnsureNotFollowed_PrimaryHandlerThatFollowsRedirectsAndAlreadySent_IsRefusedWithTheFix()
    {
        using var shared = new SocketsHttpHandler { AllowAutoRedirect = true };
        using (var other = new HttpClient(shared, disposeHandler: false))
        {
            (await other.GetAsync(_provider.At("/warm-up"))).Dispose();
        }

        using var top = new PassThrough { InnerHandler = new PassThrough { InnerHandler = shared } };

        var act = () => RedirectGuard.EnsureNotFollowed(top, "anthropic/prod");

        act.Should().Throw<IronCageException>().Which.Message.Should().Contain("AllowAutoRedirect = false").And.Contain("anthropic/prod");
    }

    [Fact]
    public void EnsureNotFollowed_UnstartedPrimaryHandler_TurnsRedirectsOff()
    {
        using var primary = new HttpClientHandler { AllowAutoRedirect = true };
        using var top = new PassThrough { InnerHandler = new PassThrough { InnerHandler = primary } };

        RedirectGuard.EnsureNotFollowed(top, "openai/prod");

        primary.AllowAutoRedirect.Should().BeFalse();
    }

    [Fact]
    public async Task Send_RedirectToTheSameOrigin_IsHandedToTheCaller()
    {
        _provider.Respond = context =>
        {
            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            context.Response.Headers.Location = _provider.At("/v1/other").ToString();
            return Task.CompletedTask;
        };
        using var harness = Harness("openai", s => s.AddHttpClient("llm").AddIronCageKey("openai/prod"));
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));

        using var response = await harness.CreateClient("llm").GetAsync(_provider.At("/v1/models"));

        response.StatusCode.Should().Be(HttpStatusCode.TemporaryRedirect);
        response.Headers.Location.Should().Be(_provider.At("/v1/other"));
        _provider.Seen.Should().ContainSingle("the handler follows no redirect, not even to its own origin");
    }

    private static HttpHarness Harness(string provider, Action<IServiceCollection> client)
        => new(
            b =>
            {
                if (provider == QueryKeyProvider.Value)
                {
                    b.Services.Configure<IronCageOptions>(o => o.AddProvider(new ProviderDescriptor(QueryKeyProvider, "Query-key gateway")
                    {
                        ConsoleUrl = new Uri("https://console.gateway.test/"),
                        Auth = AuthScheme.QueryParameter("key"),
                    }));
                }
            },
            (s, _) => client(s));

    private void RedirectTo(int status)
        => _provider.Respond = context =>
        {
            context.Response.StatusCode = status;
            context.Response.Headers.Location = _elsewhere.At("/steal" + context.Request.QueryString).ToString();
            return Task.CompletedTask;
        };

    private sealed class PassThrough : DelegatingHandler;
}
