using System.Net.Http.Json;
using Anthropic;
using Anthropic.Models.Messages;
using IronCage.Http.Tests.Support;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Http.Tests;

/// <summary>
/// The official Anthropic .NET SDK over an IronCage <see cref="HttpClient"/>, against the loopback Anthropic emulator:
/// real Kestrel, keys that are really valid or not.
/// </summary>
public sealed class AnthropicSdkTests : IAsyncLifetime
{
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await ProviderEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task AnthropicClient_CreatedOnce_KeepsWorkingAcrossARotationAndRecordsUsage()
    {
        using var harness = new HttpHarness(services: (s, _) => s.AddHttpClient("anthropic-sdk").AddIronCageKey("anthropic/prod"));
        var old = _emulator.Anthropic.AddApiKey("old");
        await harness.AddKeyAsync("anthropic/prod", old.Secret);
        using var client = NewClient(harness);

        var first = await client.Messages.Create(Hello());
        var rotated = _emulator.Anthropic.AddApiKey("new");
        await harness.RotateAsync("anthropic/prod", rotated.Secret);
        await DeactivateAsync(old.Id);
        var second = await client.Messages.Create(Hello());

        _emulator.Anthropic.IsValid(old.Secret).Should().BeFalse("the second call can only have succeeded with the rotated key");
        second.Usage.InputTokens.Should().Be(EmulatorConstants.InputTokens);
        first.Model.Raw().Should().Be("claude-sonnet-4-5");
        harness.Usage.Samples.Select(s => (s.InputTokens, s.OutputTokens, s.Model)).Should().Equal(
            ((long)EmulatorConstants.InputTokens, (long)EmulatorConstants.OutputTokens, "claude-sonnet-4-5"),
            ((long)EmulatorConstants.InputTokens, (long)EmulatorConstants.OutputTokens, "claude-sonnet-4-5"));
        harness.Usage.Samples.Should().OnlyContain(s => s.Key == KeyReference.Parse("anthropic/prod"));
    }

    [Fact]
    public async Task AnthropicClient_ThePlaceholderNeverReachesTheProvider()
    {
        using var harness = new HttpHarness(services: (s, _) => s.AddHttpClient("anthropic-sdk").AddIronCageKey("anthropic/prod"));
        var seeded = _emulator.Anthropic.AddApiKey();
        await harness.AddKeyAsync("anthropic/prod", seeded.Secret);
        using var client = NewClient(harness);

        await client.Messages.Create(Hello());

        _emulator.Anthropic.Requests.Should().ContainSingle(r => r.Contains("v1/messages", StringComparison.Ordinal));
        harness.Logs.Entries.Should().OnlyContain(e => !e.Message.Contains(seeded.Secret, StringComparison.Ordinal));
    }

    private AnthropicClient NewClient(HttpHarness harness) => new()
    {
        HttpClient = harness.Services.GetRequiredService<IHttpClientFactory>().CreateClient("anthropic-sdk"),
        BaseUrl = _emulator.Anthropic.BaseAddress.ToString().TrimEnd('/'),
        ApiKey = IronCageSdk.PlaceholderKey,
        MaxRetries = 0,
    };

    internal static MessageCreateParams Hello() => new()
    {
        MaxTokens = 64,
        Messages = [new UserMessageParam("Hello, Claude")],
        Model = "claude-sonnet-4-5",
    };

    private Task DeactivateAsync(string id) => DeactivateAsync(_emulator, id);

    /// <summary>Deactivates a key with the Admin API, as a person or the adapter would.</summary>
    internal static async Task DeactivateAsync(ProviderEmulator emulator, string id)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(emulator.Anthropic.BaseAddress, $"v1/organizations/api_keys/{id}"))
        {
            Content = JsonContent.Create(new { status = "inactive" }),
        };
        request.Headers.Add("x-api-key", emulator.Anthropic.AdminKey);
        request.Headers.Add("anthropic-version", "2023-06-01");
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
    }
}
