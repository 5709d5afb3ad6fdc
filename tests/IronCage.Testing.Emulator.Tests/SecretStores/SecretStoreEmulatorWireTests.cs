using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IronCage.Testing.Emulator;

namespace IronCage.Testing.Emulator.Tests.SecretStores;

/// <summary>The secret-store emulators refuse missing and wrong credentials with the service's own status and body.</summary>
public sealed class SecretStoreEmulatorWireTests
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task KeyVault_NoToken_AnswersTheBearerChallenge()
    {
        await using var vault = await KeyVaultEmulator.StartAsync();
        using var client = new HttpClient(vault.CreateHttpMessageHandler());

        using var response = await client.GetAsync(new Uri(vault.BaseAddress, "secrets/x?api-version=7.6"));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().Contain($"authorization=\"https://login.microsoftonline.com/{vault.TenantId}\"").And.Contain("resource=\"https://vault.azure.net\"");
        (await Json(response)).GetProperty("error").GetProperty("code").GetString().Should().Be("Unauthorized");
    }

    [Fact]
    public async Task KeyVault_UnknownSecret_Answers404SecretNotFound()
    {
        await using var vault = await KeyVaultEmulator.StartAsync();
        using var client = new HttpClient(vault.CreateHttpMessageHandler());
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(vault.BaseAddress, "secrets/absent?api-version=7.6"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", vault.AccessToken);

        using var response = await client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await Json(response)).GetProperty("error").GetProperty("code").GetString().Should().Be("SecretNotFound");
    }

    [Fact]
    public async Task SecretsManager_Unsigned_Answers400MissingAuthenticationToken()
    {
        await using var aws = await SecretsManagerEmulator.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, aws.BaseAddress) { Content = new StringContent("""{"SecretId":"x"}""", Encoding.UTF8, "application/x-amz-json-1.1") };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "secretsmanager.GetSecretValue");

        using var response = await Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Json(response)).GetProperty("__type").GetString().Should().Be("MissingAuthenticationTokenException");
        response.Headers.GetValues("x-amzn-ErrorType").Single().Should().StartWith("MissingAuthenticationTokenException");
    }

    [Fact]
    public async Task SecretsManager_UnknownAccessKey_Answers400UnrecognizedClient()
    {
        await using var aws = await SecretsManagerEmulator.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, aws.BaseAddress) { Content = new StringContent("{}", Encoding.UTF8, "application/x-amz-json-1.1") };
        request.Headers.TryAddWithoutValidation("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAUNKNOWN/20261202/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=00");

        using var response = await Http.SendAsync(request);

        (await Json(response)).GetProperty("__type").GetString().Should().Be("UnrecognizedClientException");
    }

    [Fact]
    public async Task Vault_NoToken_Answers403PermissionDenied()
    {
        await using var vault = await VaultEmulator.StartAsync();

        using var response = await Http.GetAsync(new Uri(vault.BaseAddress, "v1/secret/data/apps/chat"));

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await Json(response)).GetProperty("errors")[0].GetString().Should().Be("permission denied");
    }

    [Fact]
    public async Task Vault_StaleCheckAndSet_Answers400()
    {
        await using var vault = await VaultEmulator.StartAsync();
        vault.Write("apps/chat", new Dictionary<string, string> { ["A"] = "1" });
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(vault.BaseAddress, "v1/secret/data/apps/chat")) { Content = new StringContent("""{"options":{"cas":0},"data":{"A":"2"}}""", Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("X-Vault-Token", vault.RootToken);

        using var response = await Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Json(response)).GetProperty("errors")[0].GetString().Should().Contain("check-and-set");
        vault.CurrentVersion("apps/chat").Should().Be(1);
    }

    [Fact]
    public async Task Kubernetes_WrongToken_Answers401Status()
    {
        await using var cluster = await KubernetesEmulator.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(cluster.BaseAddress, "api/v1/namespaces/default/secrets/x"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");

        using var response = await Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var status = await Json(response);
        status.GetProperty("kind").GetString().Should().Be("Status");
        status.GetProperty("reason").GetString().Should().Be("Unauthorized");
        status.GetProperty("code").GetInt32().Should().Be(401);
    }

    [Fact]
    public async Task Cloudflare_MissingAndWrongToken_AnswerTheEnvelopeWithCloudflareCodes()
    {
        await using var cloudflare = await CloudflareSecretsStoreEmulator.StartAsync();
        var url = new Uri(cloudflare.ApiBaseAddress, $"accounts/{cloudflare.AccountId}/secrets_store/stores");
        using var wrong = new HttpRequestMessage(HttpMethod.Get, url);
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");

        using var missing = await Http.GetAsync(url);
        using var refused = await Http.SendAsync(wrong);

        missing.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Json(missing)).GetProperty("errors")[0].GetProperty("code").GetInt32().Should().Be(9106);
        refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var body = await Json(refused);
        body.GetProperty("success").GetBoolean().Should().BeFalse();
        body.GetProperty("errors")[0].GetProperty("code").GetInt32().Should().Be(10000);
    }

    [Fact]
    public async Task Cloudflare_ListedSecret_NeverCarriesItsValue()
    {
        await using var cloudflare = await CloudflareSecretsStoreEmulator.StartAsync();
        cloudflare.AddSecret("gw_openai_default", "sk-never-returned");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(cloudflare.ApiBaseAddress, $"accounts/{cloudflare.AccountId}/secrets_store/stores/{cloudflare.StoreId}/secrets"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", cloudflare.ApiToken);

        using var response = await Http.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        text.Should().Contain("gw_openai_default").And.NotContain("sk-never-returned");
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }
}
