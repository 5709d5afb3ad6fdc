using System.Text.Json.Nodes;
using IronCage.Secrets.HashiCorpVault;

namespace IronCage.Secrets.Cloud.Tests.HashiCorpVault;

/// <summary>
/// Pins the KV v2 and AppRole wire shapes against Vault's API docs (website/content/api-docs/secret/kv/kv-v2.mdx,
/// auth/approle.mdx): GET/POST /v1/{mount}/data/{path}, the {"options": {"cas": n}, "data": {…}} body, the data/metadata
/// envelope, {"errors": […]} bodies, 400 on a check-and-set mismatch, 403 on permission denied, 404 for a deleted version.
/// </summary>
public sealed class VaultWireTests : IAsyncLifetime, IDisposable
{
    private const string SecretPath = "apps/chat";
    private readonly RecordingHandler _recorder = new();
    private VaultEmulator _vault = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _vault = await VaultEmulator.StartAsync();
        _vault.Write(SecretPath, new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-old" });
        _http = new HttpClient(_recorder);
    }

    public void Dispose()
    {
        _http.Dispose();
        _recorder.Dispose();
    }

    public async Task DisposeAsync()
    {
        await _vault.DisposeAsync();
    }

    [Fact]
    public async Task DistributeAsync_AppRole_SendsTheDocumentedLoginReadAndCasWrite()
    {
        var target = new HashiCorpVaultTarget(Options(appRole: true), _http);
        using var secret = SecretValue.FromString("sk-" + Guid.NewGuid().ToString("N"));

        await target.DistributeAsync(TestKeys.Distribution(secret));

        var requests = _recorder.Requests;
        requests.Select(r => $"{r.Method} {r.Uri.AbsolutePath}").Should().Equal("POST /v1/auth/approle/login", $"GET /v1/secret/data/{SecretPath}", $"POST /v1/secret/data/{SecretPath}");
        requests[0].Json.Select(p => p.Key).Should().BeEquivalentTo("role_id", "secret_id");
        requests[0].Header("X-Vault-Token").Should().BeNull();
        requests[1].Header("X-Vault-Token").Should().StartWith("hvs.");
        var write = requests[2].Json;
        write.Select(p => p.Key).Should().BeEquivalentTo("options", "data");
        write["options"]!.ToJsonString().Should().Be("""{"cas":1}""");
        write["data"]!.AsObject().Select(p => p.Key).Should().Equal("OPENAI_API_KEY");
    }

    [Fact]
    public async Task Emulator_CasMismatch_Answers400WithTheErrorsList()
    {
        var (status, body) = await RawAsync(HttpMethod.Post, $"v1/secret/data/{SecretPath}", """{"options":{"cas":0},"data":{"a":"b"}}""");

        status.Should().Be(400);
        body["errors"]!.AsArray().Select(e => e!.GetValue<string>()).Should().Equal("check-and-set parameter did not match the current version");
    }

    [Fact]
    public async Task Emulator_ReadOnly_Answers403PermissionDenied()
    {
        _vault.ReadOnly = true;

        var (status, body) = await RawAsync(HttpMethod.Post, $"v1/secret/data/{SecretPath}", """{"options":{"cas":1},"data":{"a":"b"}}""");

        status.Should().Be(403);
        body["errors"]!.AsArray().Select(e => e!.GetValue<string>()).Should().Equal("permission denied");
    }

    [Fact]
    public async Task Emulator_Read_AnswersTheDataAndMetadataEnvelope()
    {
        var (status, body) = await RawAsync(HttpMethod.Get, $"v1/secret/data/{SecretPath}", null);

        status.Should().Be(200);
        body["data"]!["data"]!["OPENAI_API_KEY"]!.GetValue<string>().Should().Be("sk-old");
        body["data"]!["metadata"]!.AsObject().Select(p => p.Key).Should().BeEquivalentTo("created_time", "custom_metadata", "deletion_time", "destroyed", "version");
    }

    [Fact]
    public async Task DistributeAsync_LatestVersionSoftDeleted_WritesWithThatVersionAsCas()
    {
        _vault.DeleteLatest(SecretPath);
        var target = new HashiCorpVaultTarget(Options(appRole: false), _http);
        using var secret = SecretValue.FromString("sk-" + Guid.NewGuid().ToString("N"));

        var receipt = await target.DistributeAsync(TestKeys.Distribution(secret));

        receipt.TargetVersion.Should().Be("2");
        _recorder.Requests[^1].Json["options"]!.ToJsonString().Should().Be("""{"cas":1}""");
    }

    [Fact]
    public async Task DistributeAsync_MountMissing_ThrowsNotFoundNamingKvVersion2()
    {
        var options = Options(appRole: false);
        options.Mount = "kv-missing";
        var target = new HashiCorpVaultTarget(options, _http);
        using var secret = SecretValue.FromString("sk-" + Guid.NewGuid().ToString("N"));

        var act = () => target.DistributeAsync(TestKeys.Distribution(secret));

        var thrown = (await act.Should().ThrowAsync<SecretStoreException>()).Which;
        thrown.Kind.Should().Be(SecretStoreErrorKind.NotFound);
        thrown.Message.Should().Contain("KV version 2").And.Contain("no handler for route");
    }

    private HashiCorpVaultTargetOptions Options(bool appRole) => appRole
        ? new() { Address = _vault.BaseAddress, RoleId = _vault.RoleId, SecretId = _vault.SecretId, Key = "openai/prod", Path = SecretPath, Field = "OPENAI_API_KEY" }
        : new() { Address = _vault.BaseAddress, Token = _vault.RootToken, Key = "openai/prod", Path = SecretPath, Field = "OPENAI_API_KEY" };

    private async Task<(int Status, JsonObject Body)> RawAsync(HttpMethod method, string relative, string? body)
    {
        using var request = new HttpRequestMessage(method, new Uri(_vault.BaseAddress, relative));
        request.Headers.Add("X-Vault-Token", _vault.RootToken);
        if (body is not null)
        {
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request);
        return ((int)response.StatusCode, (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }
}
