using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace IronCage.Testing.Emulator.Tests;

/// <summary>The Mistral and Perplexity emulators' answers over real HTTP on 127.0.0.1, where the providers' docs leave a choice to the emulator.</summary>
public sealed class MistralPerplexityEmulatorTests : IAsyncLifetime, IDisposable
{
    private readonly HttpClient _http = new();
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await ProviderEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task PerplexityRevoke_NeedsALiveBearerAndTheFullKey_IsIdempotentForIssuedKeys_And404ForOthers()
    {
        var key = _emulator.Perplexity.AddKey("prod");
        var management = _emulator.Perplexity.ManagementKey;

        using (var anonymous = await PostAsync(_emulator.Perplexity.BaseAddress, "revoke_auth_token", null, $$"""{"auth_token":"{{key.Secret}}"}"""))
        {
            anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        using (var noToken = await PostAsync(_emulator.Perplexity.BaseAddress, "revoke_auth_token", management, "{}"))
        {
            noToken.StatusCode.Should().Be(HttpStatusCode.BadRequest, "the full key is required, not an id");
        }

        for (var i = 0; i < 2; i++)
        {
            using var revoked = await PostAsync(_emulator.Perplexity.BaseAddress, "revoke_auth_token", management, $$"""{"auth_token":"{{key.Secret}}"}""");
            revoked.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        _emulator.Perplexity.IsValid(key.Secret).Should().BeFalse();
        var stranger = FakeKeys.GenerateText(ProviderId.Perplexity);
        using var unknown = await PostAsync(_emulator.Perplexity.BaseAddress, "revoke_auth_token", management, $$"""{"auth_token":"{{stranger}}"}""");
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await unknown.Content.ReadAsStringAsync()).Should().NotContain(stranger, "an error answer never echoes the key");
    }

    [Fact]
    public async Task PerplexityGenerateThenChat_TheNewKeyWorksOnceAndStopsAfterRevoke()
    {
        using var generated = await PostAsync(_emulator.Perplexity.BaseAddress, "generate_auth_token", _emulator.Perplexity.ManagementKey, """{"token_name":"ironcage-prod-2"}""");
        using var body = JsonDocument.Parse(await generated.Content.ReadAsStringAsync());
        var token = body.RootElement.GetProperty("auth_token").GetString()!;
        body.RootElement.GetProperty("token_name").GetString().Should().Be("ironcage-prod-2");
        body.RootElement.GetProperty("created_at_epoch_seconds").GetInt64().Should().BePositive();
        token.Should().MatchRegex("^pplx-[A-Za-z0-9]{48}$");

        using (var chat = await PostAsync(_emulator.Perplexity.BaseAddress, "chat/completions", token, """{"model":"sonar","messages":[{"role":"user","content":"hi"}]}"""))
        {
            chat.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await PostAsync(_emulator.Perplexity.BaseAddress, "revoke_auth_token", _emulator.Perplexity.ManagementKey, $$"""{"auth_token":"{{token}}"}""")).Dispose();
        using var refused = await PostAsync(_emulator.Perplexity.BaseAddress, "chat/completions", token, """{"model":"sonar","messages":[]}""");
        refused.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task MistralFaults_AnswerInMistralsShapes()
    {
        var key = _emulator.Mistral.AddKey("prod");
        _emulator.Mistral.FailNext(401, pathContains: "v1/models");
        _emulator.Mistral.FailNext(500, pathContains: "api-keys");

        using (var unauthorized = await GetAsync(new Uri(_emulator.Mistral.InferenceAddress, "models"), key.Secret))
        {
            unauthorized.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            (await unauthorized.Content.ReadAsStringAsync()).Should().Be("""{"detail":"Unauthorized"}""");
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_emulator.Mistral.BaseAddress, "api-keys?limit=100&offset=0"));
        request.Headers.Add("x-api-key", _emulator.Mistral.AdminKey);
        using (var failed = await _http.SendAsync(request))
        {
            failed.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        }

        using var recovered = await GetAsync(new Uri(_emulator.Mistral.InferenceAddress, "models"), key.Secret);
        recovered.StatusCode.Should().Be(HttpStatusCode.OK);
        _emulator.Mistral.Requests.Should().Equal(["GET v1/models", "GET api/admin/api-keys?limit=100&offset=0", "GET v1/models"]);
    }

    private async Task<HttpResponseMessage> PostAsync(Uri baseAddress, string path, string? bearer, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, path)) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return await _http.SendAsync(request);
    }

    private async Task<HttpResponseMessage> GetAsync(Uri uri, string bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return await _http.SendAsync(request);
    }
}
