using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace IronCage.Testing.Emulator.Tests.Cloud;

/// <summary>The Azure emulator on the wire: ARM's bearer and api-version checks, 200 and 202 + polling regenerates, the data plane's api-key check.</summary>
public sealed class AzureCognitiveServicesEmulatorWireTests
{
    private const string Account = "subscriptions/sub-1/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/my-openai";
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Arm_NoToken_Answers401AuthenticationFailed()
    {
        await using var azure = await StartAsync();

        using var response = await Http.PostAsync(new Uri(azure.BaseAddress, Account + "/listKeys?api-version=2026-03-01"), null);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.Should().NotBeEmpty();
        (await ErrorCodeAsync(response)).Should().Be("AuthenticationFailed");
    }

    [Fact]
    public async Task Arm_WrongToken_Answers401InvalidAuthenticationToken()
    {
        await using var azure = await StartAsync();

        using var response = await SendAsync(azure, HttpMethod.Post, Account + "/listKeys?api-version=2026-03-01", token: "not-the-token");

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await ErrorCodeAsync(response)).Should().Be("InvalidAuthenticationToken");
    }

    [Theory]
    [InlineData("", "MissingApiVersionParameter")]
    [InlineData("?api-version=1999-01-01", "InvalidApiVersionParameter")]
    public async Task Arm_BadApiVersion_Answers400(string query, string code)
    {
        await using var azure = await StartAsync();

        using var response = await SendAsync(azure, HttpMethod.Post, Account + "/listKeys" + query);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorCodeAsync(response)).Should().Be(code);
    }

    [Fact]
    public async Task Arm_UnknownAccount_Answers404ResourceNotFound()
    {
        await using var azure = await StartAsync();

        using var response = await SendAsync(azure, HttpMethod.Post, Account.Replace("my-openai", "other", StringComparison.Ordinal) + "/listKeys?api-version=2026-03-01");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await ErrorCodeAsync(response)).Should().Be("ResourceNotFound");
    }

    [Fact]
    public async Task RegenerateKey_Synchronous_Answers200WithTheNewKeys_AndTheOldKeyIsRefused()
    {
        await using var azure = await StartAsync();
        var old = azure.GetKey("sub-1", "rg-ai", "my-openai", "Key1");

        using var response = await SendAsync(azure, HttpMethod.Post, Account + "/regenerateKey?api-version=2026-03-01", """{"keyName":"Key1"}""");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var keys = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var key1 = keys.RootElement.GetProperty("key1").GetString()!;
        key1.Should().NotBe(old).And.Be(azure.GetKey("sub-1", "rg-ai", "my-openai", "Key1"));
        keys.RootElement.GetProperty("key2").GetString().Should().Be(azure.GetKey("sub-1", "rg-ai", "my-openai", "Key2"));
        (await DataPlaneStatusAsync(azure, old)).Should().Be(HttpStatusCode.Unauthorized);
        (await DataPlaneStatusAsync(azure, key1)).Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task RegenerateKey_Asynchronous_Answers202_AndTheSlotChangesWhenThePollSucceeds()
    {
        await using var azure = await StartAsync();
        azure.AsynchronousRegenerate = true;
        azure.PollsBeforeCompletion = 1;
        var old = azure.GetKey("sub-1", "rg-ai", "my-openai", "Key2");

        using var accepted = await SendAsync(azure, HttpMethod.Post, Account + "/regenerateKey?api-version=2026-03-01", """{"keyName":"Key2"}""");
        var operation = accepted.Headers.GetValues("Azure-AsyncOperation").Single();
        using var first = await SendAsync(azure, HttpMethod.Get, operation);
        var stillOld = azure.GetKey("sub-1", "rg-ai", "my-openai", "Key2");
        using var second = await SendAsync(azure, HttpMethod.Get, operation);
        using var result = await SendAsync(azure, HttpMethod.Get, accepted.Headers.Location!.ToString());

        accepted.StatusCode.Should().Be(HttpStatusCode.Accepted);
        accepted.Headers.RetryAfter.Should().NotBeNull();
        (await StatusAsync(first)).Should().Be("InProgress");
        stillOld.Should().Be(old);
        (await StatusAsync(second)).Should().Be("Succeeded");
        azure.GetKey("sub-1", "rg-ai", "my-openai", "Key2").Should().NotBe(old);
        result.StatusCode.Should().Be(HttpStatusCode.OK);
        (await DataPlaneStatusAsync(azure, old)).Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task RegenerateKey_BadSlot_Answers400()
    {
        await using var azure = await StartAsync();

        using var response = await SendAsync(azure, HttpMethod.Post, Account + "/regenerateKey?api-version=2026-03-01", """{"keyName":"Key3"}""");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await ErrorCodeAsync(response)).Should().Be("InvalidRequestContent");
    }

    [Fact]
    public async Task DataPlane_BothSlotKeysAccepted_OthersAnswer401()
    {
        await using var azure = await StartAsync();

        (await DataPlaneStatusAsync(azure, azure.GetKey("sub-1", "rg-ai", "my-openai", "Key1"))).Should().Be(HttpStatusCode.OK);
        (await DataPlaneStatusAsync(azure, azure.GetKey("sub-1", "rg-ai", "my-openai", "Key2"))).Should().Be(HttpStatusCode.OK);
        (await DataPlaneStatusAsync(azure, "0123456789abcdef0123456789abcdef")).Should().Be(HttpStatusCode.Unauthorized);
    }

    private static async Task<AzureCognitiveServicesEmulator> StartAsync()
    {
        var azure = await AzureCognitiveServicesEmulator.StartAsync();
        azure.AddAccount("sub-1", "rg-ai", "my-openai");
        return azure;
    }

    private static async Task<HttpResponseMessage> SendAsync(AzureCognitiveServicesEmulator azure, HttpMethod method, string pathOrUri, string? json = null, string? token = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(azure.BaseAddress, pathOrUri));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? azure.ArmToken);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await Http.SendAsync(request);
    }

    private static async Task<HttpStatusCode> DataPlaneStatusAsync(AzureCognitiveServicesEmulator azure, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(azure.DataPlaneAddress("my-openai"), "openai/v1/models"));
        request.Headers.Add("api-key", key);
        using var response = await Http.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<string?> ErrorCodeAsync(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("error").GetProperty("code").GetString();
    }

    private static async Task<string?> StatusAsync(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("status").GetString();
    }
}
