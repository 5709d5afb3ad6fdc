using IronCage.Secrets.CloudflareAiGateway;

namespace IronCage.Secrets.Cloud.Tests.CloudflareAiGateway;

/// <summary>
/// Pins the Secrets Store wire shapes against Cloudflare's API reference (secrets_store/stores/secrets create, list,
/// edit) and wrangler's client: POST takes an array of {name, value, scopes, comment}, PATCH an object of the optional
/// {value, scopes, comment}, list filters with ?search=, every answer is the {success, errors, messages, result} envelope.
/// </summary>
public sealed class SecretsStoreWireTests : IAsyncLifetime, IDisposable
{
    private readonly RecordingHandler _recorder = new();
    private CloudflareSecretsStoreEmulator _cloudflare = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _cloudflare = await CloudflareSecretsStoreEmulator.StartAsync();
        _http = new HttpClient(_recorder);
    }

    public void Dispose()
    {
        _http.Dispose();
        _recorder.Dispose();
    }

    public async Task DisposeAsync() => await _cloudflare.DisposeAsync();

    [Fact]
    public async Task DistributeAsync_CreateThenUpdate_SendsTheDocumentedBodies()
    {
        var target = new CloudflareAiGatewayTarget(new CloudflareAiGatewayTargetOptions { Key = "openai/prod", AccountId = _cloudflare.AccountId, ApiToken = _cloudflare.ApiToken, GatewayId = "chat-gw", BaseAddress = _cloudflare.ApiBaseAddress }, _http);
        using var first = SecretValue.FromString("sk-" + Guid.NewGuid().ToString("N"));
        using var second = SecretValue.FromString("sk-" + Guid.NewGuid().ToString("N"));

        await target.DistributeAsync(TestKeys.Distribution(first));
        await target.DistributeAsync(TestKeys.Distribution(second));

        var secrets = $"/client/v4/accounts/{_cloudflare.AccountId}/secrets_store/stores/{_cloudflare.StoreId}/secrets";
        var requests = _recorder.Requests;
        requests.Select(r => $"{r.Method} {r.Uri.AbsolutePath}").Should().StartWith(
            [$"GET /client/v4/accounts/{_cloudflare.AccountId}/secrets_store/stores", $"GET {secrets}", $"POST {secrets}", $"GET {secrets}"]);
        requests[1].Uri.Query.Should().Be("?search=chat-gw_openai_default&per_page=100");
        var create = System.Text.Json.Nodes.JsonNode.Parse(requests[2].Body!)!.AsArray();
        create.Should().ContainSingle();
        create[0]!.AsObject().Select(p => p.Key).Should().BeEquivalentTo("name", "value", "scopes", "comment");
        create[0]!["scopes"]!.ToJsonString().Should().Be("""["ai_gateway"]""");
        var patch = requests[^1];
        patch.Method.Should().Be("PATCH");
        patch.Uri.AbsolutePath.Should().StartWith(secrets + "/");
        patch.Json.Select(p => p.Key).Should().BeEquivalentTo("value", "comment", "scopes");
        requests.Should().OnlyContain(r => r.Header("Authorization") == "Bearer " + _cloudflare.ApiToken);
    }
}
