using System.Collections.Concurrent;
using System.Net;
using IronCage.Encryption;
using IronCage.Providers.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IronCage.Providers.Http.Tests;

/// <summary>The options of a provider written for the tests, the way a custom adapter's would be.</summary>
public sealed class TestProviderOptions : ProviderHttpOptions
{
    public static readonly Uri Api = new("https://api.test.example/v1/");

    public TestProviderOptions()
        : base(Api)
    {
    }

    public string? AdminKey { get; set; }
}

/// <summary>A provider that answers from a script and counts every request that reached it.</summary>
internal sealed class ScriptedProvider : HttpMessageHandler
{
    private readonly Func<HttpRequestMessage, int, HttpResponseMessage> _answer;
    private readonly ConcurrentQueue<string> _requests = new();

    public ScriptedProvider(Func<HttpRequestMessage, int, HttpResponseMessage> answer) => _answer = answer;

    public IReadOnlyList<string> Requests => [.. _requests];

    public static ScriptedProvider Always(HttpStatusCode status, string body = "{}") => new((_, _) => Json(status, body));

    public static HttpResponseMessage Json(HttpStatusCode status, string body = "{}") => new(status) { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _requests.Enqueue($"{request.Method} {request.RequestUri!.AbsolutePath}");
        return Task.FromResult(_answer(request, _requests.Count));
    }
}

/// <summary>A host with the test provider's connection registered through the plumbing, over a scripted provider.</summary>
internal sealed class PlumbingHost : IDisposable
{
    public const string ClientName = "IronCage.Providers.Test";

    private readonly ServiceProvider _services;

    public PlumbingHost(ScriptedProvider provider, Action<TestProviderOptions>? configure = null, Action<IServiceCollection>? hostDefaults = null, bool retryThrottled = false)
    {
        var services = new ServiceCollection();
        hostDefaults?.Invoke(services);
        services.AddLogging();
        services.AddIronCage(o => o.AddProvider(Descriptor))
            .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
            .AddProviderConnection<TestProviderOptions>("test", o =>
            {
                o.AdminKey = "test-admin-key";
                o.RetryDelay = TimeSpan.FromMilliseconds(1);
                configure?.Invoke(o);
            }, new ProviderClientSettings(ClientName, "AddTest") { RetryThrottled = retryThrottled });
        services.AddHttpClient(ClientName).ConfigurePrimaryHttpMessageHandler(() => provider);
        _services = services.BuildServiceProvider();
    }

    public static ProviderId Id { get; } = new("test");

    public static ProviderDescriptor Descriptor { get; } = new(Id, "Test provider") { Auth = AuthScheme.Bearer, ConsoleUrl = new Uri("https://console.test.example/") };

    public TestProviderOptions Options => _services.GetRequiredService<IOptionsMonitor<TestProviderOptions>>().Get("test");

    public IServiceProvider Services => _services;

    public ProviderHttp Http => new(_services.GetRequiredService<IHttpClientFactory>(), ClientName, _services.GetRequiredService<IProviderCatalog>().GetDescriptor(Id), NodaTime.SystemClock.Instance);

    public ProviderEndpoint Endpoint => new("test", Options, Options.AdminKey!, "TestProviderOptions.AdminKey");

    public void Dispose() => _services.Dispose();
}
