using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace IronCage.Testing.Emulator.Tests;

/// <summary>The Anthropic emulator accepts the headers the official Anthropic .NET SDK sends, and only what the real API accepts.</summary>
public sealed class AnthropicEmulatorAuthTests : IAsyncLifetime, IDisposable
{
    private readonly HttpClient _http = new();
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await ProviderEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Messages_WithBearerAuthorization_Is200()
    {
        var key = _emulator.Anthropic.AddApiKey("sdk");
        using var request = Messages("2023-06-01");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key.Secret);

        using var response = await _http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Messages_WithBearerOfAnUnknownKey_Is401()
    {
        using var request = Messages("2023-06-01");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-ant-api03-not-a-key");

        using var response = await _http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("2023-06-01")]
    [InlineData("2023-01-01")]
    [InlineData("2026-10-21")]
    public async Task Messages_WithADocumentedVersion_Is200(string version)
    {
        var key = _emulator.Anthropic.AddApiKey("sdk");
        using var request = Messages(version);
        request.Headers.Add("x-api-key", key.Secret);

        using var response = await _http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Messages_WithAnUnknownVersion_Is400()
    {
        var key = _emulator.Anthropic.AddApiKey("sdk");
        using var request = Messages("2099-01-01");
        request.Headers.Add("x-api-key", key.Secret);

        using var response = await _http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("anthropic-version").And.NotContain(key.Secret);
    }

    private HttpRequestMessage Messages(string version)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_emulator.Anthropic.BaseAddress, "v1/messages"))
        {
            Content = new StringContent("""{"model":"claude-sonnet-4-5","max_tokens":10,"messages":[]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("anthropic-version", version);
        return request;
    }
}
