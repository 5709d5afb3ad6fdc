using System.ClientModel;
using System.ClientModel.Primitives;
using IronCage.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;

namespace IronCage.Http.Tests;

public sealed class HotSwapTests
{
    private static readonly KeyReference Prod = KeyReference.Parse("openai/prod");

    [Fact]
    public async Task OpenAIChatClient_KeyRotates_TheSameClientSendsTheNewKey()
    {
        using var harness = new HttpHarness();
        var old = harness.NewSecret(ProviderId.OpenAI);
        await harness.AddKeyAsync("openai/prod", old);
        var body = await File.ReadAllTextAsync(Path.Combine("TestData", "openai-chat-completion.json"));
        harness.Provider.Fallback = _ => Task.FromResult(ScriptedHandler.Json(200, body));
        var credentials = harness.Services.GetRequiredService<IronCageApiKeyCredentials>();
        var credential = await credentials.GetAsync(Prod);
        using var transport = new HttpClient(harness.Provider);
        var chat = new ChatClient("gpt-4o", credential, new OpenAIClientOptions { Endpoint = new Uri("http://127.0.0.1:9/v1"), Transport = new HttpClientPipelineTransport(transport) });

        await chat.CompleteChatAsync("hello");
        var rotated = harness.NewSecret(ProviderId.OpenAI);
        await harness.RotateAsync("openai/prod", rotated);
        await WaitForAsync(credential, rotated);
        await chat.CompleteChatAsync("hello again");

        harness.Provider.Sent.Select(s => s.Header("Authorization")).Should().Equal($"Bearer {old}", $"Bearer {rotated}");
        (await credentials.GetAsync(Prod)).Should().BeSameAs(credential);
    }

    [Fact]
    public async Task Credential_KeyKilled_FailsClosedWithThePlaceholder()
    {
        using var harness = new HttpHarness();
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI));
        var credential = await harness.Services.GetRequiredService<IronCageApiKeyCredentials>().GetAsync(Prod);

        await harness.KillAsync("openai/prod");

        await WaitForAsync(credential, IronCageApiKeyCredentials.UnavailablePlaceholder);
    }

    private static async Task WaitForAsync(ApiKeyCredential credential, string expected)
    {
        // The update runs on the change notification; poll its result rather than sleep a fixed time.
        for (var i = 0; i < 500; i++)
        {
            credential.Deconstruct(out var current);
            if (current == expected)
            {
                return;
            }

            await Task.Delay(10);
        }

        credential.Deconstruct(out var last);
        last.Should().Be(expected, "the credential follows the key");
    }
}
