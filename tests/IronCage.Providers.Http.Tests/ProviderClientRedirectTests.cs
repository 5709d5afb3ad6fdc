using IronCage.Encryption;
using IronCage.Http.Tests.Support;
using IronCage.Providers.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IronCage.Providers.Http.Tests;

/// <summary>
/// The adapters' own clients (the plumbing's primary handler, not replaced here) never follow a redirect: the admin key
/// on a management call stays with the provider's origin, whatever auth scheme the descriptor uses.
/// </summary>
public sealed class ProviderClientRedirectTests : IAsyncLifetime
{
    private const string ClientName = "IronCage.Providers.RedirectTest";
    private const string AdminKey = "redirect-test-admin-key-0123456789";

    private LoopbackOrigin _provider = null!;
    private LoopbackOrigin _elsewhere = null!;

    public static TheoryData<string, int> SchemesAndRedirects()
    {
        var data = new TheoryData<string, int>();
        foreach (var scheme in new[] { "bearer", "x-api-key", "api-key", "x-goog-api-key", "query" })
        {
            foreach (var status in new[] { 301, 302, 307, 308 })
            {
                data.Add(scheme, status);
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
    public async Task SendAsync_RedirectToAnotherOrigin_NeverCarriesTheAdminKeyThere(string scheme, int status)
    {
        _provider.Respond = context =>
        {
            context.Response.StatusCode = status;
            context.Response.Headers.Location = _elsewhere.At("/steal" + context.Request.QueryString).ToString();
            return Task.CompletedTask;
        };
        var auth = scheme switch
        {
            "bearer" => AuthScheme.Bearer,
            "query" => AuthScheme.QueryParameter("key"),
            _ => AuthScheme.Header(scheme),
        };
        var descriptor = new ProviderDescriptor(new ProviderId("redirect-test"), "Redirect test") { Auth = auth, ConsoleUrl = new Uri("https://console.test.example/") };
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddIronCage(o => o.AddProvider(descriptor))
            .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
            .AddProviderConnection<TestProviderOptions>("test", o =>
            {
                o.BaseAddress = _provider.At("/v1/");
                o.AdminKey = AdminKey;
                o.MaxRetries = 0;
            }, new ProviderClientSettings(ClientName, "AddRedirectTest"));
        await using var provided = services.BuildServiceProvider();
        var options = provided.GetRequiredService<IOptionsMonitor<TestProviderOptions>>().Get("test");
        var endpoint = new ProviderEndpoint("test", options, AdminKey, "TestProviderOptions.AdminKey");
        var http = new ProviderHttp(provided.GetRequiredService<IHttpClientFactory>(), ClientName, descriptor, NodaTime.SystemClock.Instance);

        var act = () => http.SendAsync(endpoint, new ProviderCall(HttpMethod.Get, endpoint.Resolve("keys"), "list keys"), CancellationToken.None);

        await act.Should().ThrowAsync<ProviderRequestException>("a redirect is an answer, not a place to go");
        _provider.Seen.Should().ContainSingle().Which.Carries(AdminKey).Should().BeTrue("the provider's own origin gets the key");
        _elsewhere.Seen.Should().BeEmpty("the origin a redirect names never sees a request, let alone the key");
    }
}
