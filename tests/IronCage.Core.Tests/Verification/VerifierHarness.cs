using System.Net;
using System.Security.Cryptography;
using IronCage.Core.Tests.Support;
using IronCage.Verification;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RichardSzalay.MockHttp;

namespace IronCage.Core.Tests.Verification;

/// <summary>
/// An IronCage container whose verify HttpClient talks to a MockHttp handler that throws on any request it
/// was not told about, so no test can reach the network. Logs at every level are recorded.
/// </summary>
internal sealed class VerifierHarness : IDisposable
{
    private readonly ServiceProvider _services;

    public VerifierHarness(Action<IronCageOptions>? configure = null, Action<IServiceCollection>? configureServices = null)
    {
        Mock.Fallback.Throw(new InvalidOperationException("The test did not expect this request; tests never reach the network."));

        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        configureServices?.Invoke(services);
        services.AddIronCage(configure).ProtectKeysWithMasterKey(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        services.AddHttpClient(IronCageConstants.VerifyHttpClientName).ConfigurePrimaryHttpMessageHandler(() => Mock);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public MockHttpMessageHandler Mock { get; } = new();

    public RecordingLoggerProvider Logs { get; } = new();

    public IKeyVerifier Verifier => _services.GetRequiredService<IKeyVerifier>();

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    /// <summary>Gets the request the mock answered last, captured while it was still alive.</summary>
    public CapturedRequest? LastRequest { get; private set; }

    /// <summary>Answers <paramref name="method"/> <paramref name="url"/> (exact, query included) once, recording the request.</summary>
    public MockedRequest Expect(HttpMethod method, string url, HttpStatusCode status, string? body = null, string mediaType = "application/json", params (string Name, string Value)[] headers)
    {
        var expected = new Uri(url);
        return Mock.Expect(method, url)
            .With(request => request.RequestUri == expected && request.RequestUri.Query == expected.Query)
            .Respond(async request =>
            {
                LastRequest = await CapturedRequest.FromAsync(request);
                var response = new HttpResponseMessage(status) { RequestMessage = request };
                if (body is not null)
                {
                    response.Content = new StringContent(body, System.Text.Encoding.UTF8, mediaType);
                }

                foreach (var (name, value) in headers)
                {
                    response.Headers.TryAddWithoutValidation(name, value).Should().BeTrue($"'{name}' is a response header");
                }

                return response;
            });
    }

    public void Dispose()
    {
        _services.Dispose();
        Mock.Dispose();
        Logs.Dispose();
    }
}

/// <summary>What a request carried, copied before the verifier disposes it.</summary>
internal sealed record CapturedRequest(HttpMethod Method, string Url, IReadOnlyDictionary<string, string> Headers, string? Body, string? ContentType)
{
    public static async Task<CapturedRequest> FromAsync(HttpRequestMessage request)
    {
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync();
        return new CapturedRequest(request.Method, request.RequestUri!.AbsoluteUri, headers, body, request.Content?.Headers.ContentType?.MediaType);
    }
}
