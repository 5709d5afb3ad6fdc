using System.Net;
using System.Text;
using IronCage.Http.Tests.Support;
using IronCage.Usage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using NodaTime;

namespace IronCage.Http.Tests;

/// <summary>The handler over the real usage tracking of <c>AddUsageTracking()</c>: recorded usage is priced, gates the key and reaches the store.</summary>
public sealed class UsageTrackingEndToEndTests
{
    [Fact]
    public async Task Send_WithUsageTracking_PricesTheSnapshotModelBlocksAtTheHardLimitAndStoresTheUsage()
    {
        using var harness = new HttpHarness(
            configure: b => b.AddUsageTracking(),
            services: (s, primary) =>
            {
                // The harness records samples itself; hand the handler the real recorder instead.
                s.RemoveAll<IUsageRecorder>();
                s.AddSingleton(sp => (IUsageRecorder)sp.GetRequiredService<IUsageGate>());
                HttpHarness.Client(s, "llm", b => b.AddIronCageKey("openai/prod"), primary);
            });
        var key = KeyReference.Parse("openai/prod");
        await harness.AddKeyAsync("openai/prod", harness.NewSecret(ProviderId.OpenAI), limits: new UsageLimits
        {
            Limits = [new UsageLimit(UsageMetric.Requests, UsageWindow.Minute, 2)],
        });
        var query = harness.Services.GetRequiredService<IUsageQuery>();
        (await query.GetCurrentUsageAsync(key)).Limits.Should().ContainSingle();
        var body = await File.ReadAllBytesAsync(Path.Combine("TestData", "openai-chat-completion.json"));
        harness.Provider.Then(_ => Ok(body)).Then(_ => Ok(body));
        var client = harness.CreateClient("llm");

        for (var i = 0; i < 2; i++)
        {
            using var response = await client.PostAsync(new Uri("https://api.example.test/v1/chat/completions"), new StringContent("{}", Encoding.UTF8, "application/json"));
            await response.Content.ReadAsByteArrayAsync();
        }

        var snapshot = await query.GetCurrentUsageAsync(key);
        snapshot.Minute.Requests.Should().Be(2);
        snapshot.Minute.Cost.Should().Be(2 * ((1117 * 2.50m) + (46 * 10m)) / 1_000_000m, "gpt-4o-2024-08-06 is priced as gpt-4o");
        harness.Services.GetRequiredService<IUsageGate>().IsBlocked(key, harness.Clock.GetCurrentInstant(), out var skip).Should().BeTrue();
        skip!.Until.Should().Be(UsageWindow.Minute.EndOf(harness.Clock.GetCurrentInstant()));
        await FluentActions.Awaiting(() => client.PostAsync(new Uri("https://api.example.test/v1/chat/completions"), new StringContent("{}", Encoding.UTF8, "application/json")))
            .Should().ThrowAsync<NoUsableKeyException>();

        var history = await query.GetHistoryAsync(key, UsageWindow.Day, Instant.FromUtc(2026, 11, 22, 0, 0), Instant.FromUtc(2026, 11, 23, 0, 0));
        history.Should().ContainSingle().Which.InputTokens.Should().Be(2 * 1117);
        harness.Logs.AllText.Should().NotContain(t => harness.Secrets.Any(secret => t.Contains(secret, StringComparison.Ordinal)));
    }

    private static HttpResponseMessage Ok(byte[] body)
        => new(HttpStatusCode.OK) { Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } } };
}
