using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Azure.Core;
using IronCage.Providers.AzureOpenAI;
using RichardSzalay.MockHttp;

namespace IronCage.Providers.AzureOpenAI.Tests;

internal sealed class FakeTokenCredential : TokenCredential
{
    public const string Token = "test-arm-token";

    public List<string[]> Scopes { get; } = [];

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        Scopes.Add(requestContext.Scopes);
        return new AccessToken(Token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}

/// <summary>A scripted Azure: ARM listKeys/regenerateKey for one account, and its data plane, on MockHttp.</summary>
internal sealed class AzureEmulator
{
    public const string Account = "https://management.azure.com/subscriptions/sub-1/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/my-openai";
    public const string DataPlane = "https://my-openai.openai.azure.com";

    public AzureEmulator(bool asynchronous = false)
    {
        Asynchronous = asynchronous;
        Handler.When(HttpMethod.Post, Account + "/listKeys").Respond(_ => Keys());
        Handler.When(HttpMethod.Post, Account + "/regenerateKey").Respond(Regenerate);
        Handler.When(HttpMethod.Get, "https://management.azure.com/subscriptions/sub-1/providers/Microsoft.CognitiveServices/locations/eastus/operationResults/*").Respond(_ => Json(HttpStatusCode.OK, """{"status":"Succeeded"}"""));
        Handler.When(HttpMethod.Get, DataPlane + "/openai/v1/models").Respond(Verify);
    }

    public MockHttpMessageHandler Handler { get; } = new();

    public bool Asynchronous { get; set; }

    public string Key1 { get; private set; } = NewKey();

    public string Key2 { get; private set; } = NewKey();

    public List<string> AllValues { get; } = [];

    /// <summary>Gets every regeneration in order: the slot and the value it got.</summary>
    public List<(string Slot, string Value)> Regenerations { get; } = [];

    /// <summary>Gets or sets a value indicating whether the next regenerateKey changes the slot and then answers 500: ARM acted, the caller cannot know.</summary>
    public bool FailNextRegenerateAfterActing { get; set; }

    /// <summary>Whether the data plane accepts <paramref name="value"/> now.</summary>
    public bool IsValid(string value) => value == Key1 || value == Key2;

    public static ProviderKeyContext Context(string name = "prod") => new()
    {
        Key = new KeyReference(ProviderId.AzureOpenAI, name),
        Scope = new Dictionary<string, string>
        {
            [AzureOpenAIConstants.SubscriptionIdScopeKey] = "sub-1",
            [AzureOpenAIConstants.ResourceGroupScopeKey] = "rg-ai",
            [AzureOpenAIConstants.AccountNameScopeKey] = "my-openai",
            [AzureOpenAIConstants.EndpointScopeKey] = DataPlane,
        },
    };

    public CloudProviderTestHost Host(Action<AzureOpenAIProviderOptions>? configure = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? hostServices = null) => new(
        b => b.AddAzureOpenAI("azure", o =>
        {
            o.Credential = new FakeTokenCredential();
            o.PollInterval = TimeSpan.FromMilliseconds(1);
            o.MaxPollInterval = TimeSpan.FromMilliseconds(5);
            o.RetryDelay = TimeSpan.FromMilliseconds(1);
            configure?.Invoke(o);
        }),
        AzureOpenAIConstants.HttpClientName,
        Handler,
        hostServices: hostServices);

    private static string NewKey() => Convert.ToHexString(Guid.NewGuid().ToByteArray()).ToLowerInvariant();

    private HttpResponseMessage Keys()
    {
        AllValues.Add(Key1);
        AllValues.Add(Key2);
        return Json(HttpStatusCode.OK, JsonSerializer.Serialize(new { key1 = Key1, key2 = Key2 }));
    }

    private HttpResponseMessage Regenerate(HttpRequestMessage request)
    {
        using var body = JsonDocument.Parse(request.Content!.ReadAsStringAsync().Result);
        var slot = body.RootElement.GetProperty("keyName").GetString();
        if (slot == "Key1")
        {
            Key1 = NewKey();
        }
        else if (slot == "Key2")
        {
            Key2 = NewKey();
        }
        else
        {
            return Json(HttpStatusCode.BadRequest, """{"error":{"code":"InvalidKeyName","message":"keyName must be Key1 or Key2."}}""");
        }

        Regenerations.Add((slot, slot == "Key1" ? Key1 : Key2));
        AllValues.Add(Regenerations[^1].Value);
        if (FailNextRegenerateAfterActing)
        {
            FailNextRegenerateAfterActing = false;
            return Json(HttpStatusCode.InternalServerError, """{"error":{"code":"InternalServerError","message":"An internal server error occurred."}}""");
        }

        if (!Asynchronous)
        {
            return Keys();
        }

        var accepted = new HttpResponseMessage(HttpStatusCode.Accepted) { Content = new StringContent(string.Empty) };
        accepted.Headers.Add("Azure-AsyncOperation", "https://management.azure.com/subscriptions/sub-1/providers/Microsoft.CognitiveServices/locations/eastus/operationResults/op-1?api-version=2026-03-01");
        accepted.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.Zero);
        return accepted;
    }

    private HttpResponseMessage Verify(HttpRequestMessage request)
    {
        var key = request.Headers.TryGetValues("api-key", out var values) ? values.Single() : null;
        return key is not null && (key == Key1 || key == Key2)
            ? Json(HttpStatusCode.OK, """{"data":[{"id":"gpt-4o","object":"model"}],"object":"list"}""")
            : Json(HttpStatusCode.Unauthorized, File.ReadAllText(Path.Combine("TestData", "DataPlane401.json")));
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string json) => new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
}
