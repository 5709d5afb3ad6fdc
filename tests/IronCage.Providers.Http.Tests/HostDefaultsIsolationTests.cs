using System.Net;
using IronCage.Encryption;
using IronCage.Providers.AwsBedrock;
using IronCage.Providers.AzureOpenAI;
using IronCage.Providers.GoogleGemini;
using IronCage.Providers.Http;
using IronCage.Providers.OpenAI;
using IronCage.Providers.OpenRouter;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Providers.Http.Tests;

/// <summary>
/// A host with .NET Aspire-style defaults (<c>ConfigureHttpClientDefaults(b => b.AddStandardResilienceHandler())</c>)
/// must not get its standard handler onto IronCage's provider clients: its retry would resend a create.
/// </summary>
public sealed class HostDefaultsIsolationTests
{
    public static TheoryData<string> Packages => ["OpenAI", "Anthropic", "OpenRouter", "AwsBedrock", "AzureOpenAI", "GoogleGemini"];

    [Theory]
    [MemberData(nameof(Packages))]
    public async Task PackageClient_HostWithStandardResilienceDefaults_SendsAFailedCreateExactlyOnce(string package)
    {
        var provider = ScriptedProvider.Always(HttpStatusCode.InternalServerError);
        var services = new ServiceCollection();
        services.ConfigureHttpClientDefaults(b => b.AddStandardResilienceHandler());
        var builder = services.AddLogging().AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey());
        var clientName = Add(builder, package);
        services.AddHttpClient(clientName).ConfigurePrimaryHttpMessageHandler(() => provider);
        await using var sp = services.BuildServiceProvider();
        var descriptor = sp.GetRequiredService<IProviderCatalog>().All[0];
        var calls = new ProviderHttpCalls(descriptor, "c", new TestProviderOptions());

        using var answer = await calls.SendAsync(sp.GetRequiredService<IHttpClientFactory>().CreateClient(clientName), _ => ValueTask.FromResult(new HttpRequestMessage(HttpMethod.Post, "https://provider.example/keys")), "create key", safeToRetry: false, CancellationToken.None);

        answer.StatusCode.Should().Be(500);
        provider.Requests.Should().ContainSingle("neither IronCage's pipeline nor the host's standard handler may resend a create");
    }

    [Fact]
    public async Task IsolateFromHttpClientDefaults_HostWithStandardResilienceDefaults_LeavesAGetUnretried()
    {
        var provider = ScriptedProvider.Always(HttpStatusCode.ServiceUnavailable);
        var services = new ServiceCollection();
        services.ConfigureHttpClientDefaults(b => b.AddStandardResilienceHandler());
        services.AddHttpClient("verify").IsolateFromHttpClientDefaults().ConfigurePrimaryHttpMessageHandler(() => provider);
        var control = ScriptedProvider.Always(HttpStatusCode.ServiceUnavailable);
        services.AddHttpClient("control").ConfigurePrimaryHttpMessageHandler(() => control);
        await using var sp = services.BuildServiceProvider();
        var factory = sp.GetRequiredService<IHttpClientFactory>();

        using var answer = await factory.CreateClient("verify").GetAsync(new Uri("https://provider.example/v1/models"));
        using var controlAnswer = await factory.CreateClient("control").GetAsync(new Uri("https://provider.example/v1/models"));

        answer.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        provider.Requests.Should().ContainSingle();
        control.Requests.Should().HaveCount(4, "a client that is not isolated gets the standard handler's three retries");
    }

    private static string Add(IIronCageBuilder builder, string package)
    {
        switch (package)
        {
            case "OpenAI":
                builder.AddOpenAI("c", o => o.AdminKey = "sk-admin-x");
                return OpenAIConstants.HttpClientName;
            case "Anthropic":
                builder.AddAnthropic("c", o => o.AdminKey = "sk-ant-admin01-x");
                return IronCage.Providers.Anthropic.AnthropicConstants.HttpClientName;
            case "OpenRouter":
                builder.AddOpenRouter("c", o => o.ManagementKey = "sk-or-v1-x");
                return OpenRouterConstants.HttpClientName;
            case "AwsBedrock":
                builder.AddAwsBedrock("c", o => o.UserName = "u");
                return AwsBedrockConstants.HttpClientName;
            case "AzureOpenAI":
                builder.AddAzureOpenAI("c", o => o.SubscriptionId = "s");
                return AzureOpenAIConstants.HttpClientName;
            default:
                builder.AddGoogleGemini("c", o => o.Project = "p");
                return GoogleGeminiConstants.HttpClientName;
        }
    }
}
