using System.Globalization;
using Anthropic;
using Anthropic.Models.Messages;
using IronCage.Encryption;
using IronCage.Http;
using IronCage.Providers.Anthropic;
using IronCage.Rotation;
using IronCage.Testing.Emulator;
using IronCage.Usage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Samples.AnthropicSdk;

/// <summary>
/// The official Anthropic .NET SDK through an IronCage <see cref="HttpClient"/>: one <see cref="AnthropicClient"/> is
/// created once, the key behind it is rotated the way Anthropic allows (a person creates the new key in the Console,
/// IronCage takes it, verifies it, makes it current and deactivates the old one), the same client keeps working, and its
/// token usage is in <see cref="IUsageQuery"/>.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out);

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        // 1. The Anthropic emulator on loopback, with the API key the application uses today.
        await using var emulator = await ProviderEmulator.StartAsync();
        var seeded = emulator.Anthropic.AddApiKey("prod");

        // 2. IronCage: the Anthropic adapter (verifies keys and deactivates old ones with the Admin API), the engine,
        //    the key resolver, usage tracking, and the HttpClient the SDK sends through.
        var services = new ServiceCollection();
        services.AddLogging();
        services
            .AddIronCage()
            .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()) // a real host reads it from configuration
            .AddAnthropic("anthropic", o =>
            {
                o.BaseAddress = emulator.Anthropic.BaseAddress;
                o.AdminKey = emulator.Anthropic.AdminKey;
            })
            .AddRotation()
            .AddKeyResolver()
            .AddUsageTracking();

        // HttpClient.Timeout defaults to 100 seconds, which would cut off a long generation the SDK allows 10 minutes
        // for: leave the timeout to the SDK.
        services.AddHttpClient("anthropic-sdk", c => c.Timeout = Timeout.InfiniteTimeSpan).AddIronCageKey("anthropic/prod");
        await using var provider = services.BuildServiceProvider();

        var key = KeyReference.Parse("anthropic/prod");
        var rotator = provider.GetRequiredService<IKeyRotator>();
        using (var secret = seeded.ToSecretValue())
        {
            await rotator.RegisterAsync(new KeyRegistration { Reference = key }, secret);
        }

        // 3. One AnthropicClient for the whole run: its HttpClient is the IronCage client, its API key a placeholder the
        //    key handler replaces with the key of the moment (the placeholder never leaves the process). MaxRetries = 0
        //    leaves retries and failover to IronCage, so one call is not retried by two layers.
        using var client = new AnthropicClient
        {
            HttpClient = provider.GetRequiredService<IHttpClientFactory>().CreateClient("anthropic-sdk"),
            BaseUrl = emulator.Anthropic.BaseAddress.ToString().TrimEnd('/'),
            ApiKey = IronCageSdk.PlaceholderKey,
            MaxRetries = 0,
        };
        var resolver = provider.GetRequiredService<IKeyResolver>();

        var first = await client.Messages.Create(Hello("Say hello."));
        var firstHint = (await resolver.ResolveAsync(key)).DisplayHint;
        output.WriteLine($"call 1  key {firstHint,-10} reply \"{Text(first)}\"");

        // 4. Anthropic has no API to create keys: a person creates one in the Console and hands it to IronCage, which
        //    verifies it, makes it current and, with no grace period, deactivates the old key at once.
        var created = emulator.Anthropic.AddApiKey("prod-2");
        using (var supplied = created.ToSecretValue())
        {
            var operation = await rotator.SupplyNewKeyAsync(key, supplied, new RotationRequest { GracePeriod = Duration.Zero });
            output.WriteLine($"rotated {operation.Step}; the old key still works at the provider: {emulator.Anthropic.IsValid(seeded.Secret)}");
        }

        // 5. The same AnthropicClient again: it now sends the new key, since the old one is inactive this call proves it.
        var second = await client.Messages.Create(Hello("Say hello again."));
        var secondHint = (await resolver.ResolveAsync(key)).DisplayHint;
        output.WriteLine($"call 2  key {secondHint,-10} reply \"{Text(second)}\"");

        // 6. Both calls went through IronCage's handlers, so their tokens were recorded against the key.
        await provider.GetRequiredService<IUsageRecorder>().FlushAsync();
        var now = SystemClock.Instance.GetCurrentInstant();
        var report = await provider.GetRequiredService<IUsageQuery>().GetReportAsync(now - Duration.FromDays(1), now + Duration.FromMinutes(1), UsageWindow.Day, key, byModel: true);
        foreach (var row in report.Rows)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"usage   {row.Model ?? "(unknown)"}: {row.Requests} requests, {row.InputTokens} tokens in, {row.OutputTokens} tokens out"));
        }

        var ok = firstHint != secondHint && !emulator.Anthropic.IsValid(seeded.Secret) && report.TotalRequests == 2;
        output.WriteLine(ok ? "both calls succeeded with different keys through the same client" : "unexpected: the calls did not use two different keys");
        return ok ? 0 : 1;
    }

    private static MessageCreateParams Hello(string text) => new()
    {
        MaxTokens = 64,
        Messages = [new UserMessageParam(text)],
        Model = "claude-sonnet-4-5",
    };

    private static string Text(Message message)
        => string.Concat(message.Content.Select(block => block.TryPickText(out var text) ? text.Text : string.Empty));
}
