using System.Globalization;
using IronCage.Encryption;
using IronCage.Http;
using IronCage.Providers.OpenAI;
using IronCage.Rotation;
using IronCage.Testing.Emulator;
using IronCage.Usage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using OpenAI;
using OpenAI.Chat;

namespace IronCage.Samples.OpenAISdkHotSwap;

/// <summary>
/// The official OpenAI SDK through an IronCage <see cref="HttpClient"/>: one <see cref="ChatClient"/> is created once,
/// the key behind it is rotated (the old key deleted at the provider at once), the same client keeps working, and its
/// token usage is in <see cref="IUsageQuery"/>.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out);

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        // 1. The OpenAI emulator on loopback, with the project key the application uses today.
        await using var emulator = await ProviderEmulator.StartAsync();
        var seeded = emulator.OpenAI.AddProjectKey("prod");

        // 2. IronCage: the OpenAI adapter (rotates keys at the emulator), the engine, the key resolver, usage tracking,
        //    and the HttpClient the SDK sends through: AddIronCageKey puts the managed key on every request.
        var services = new ServiceCollection();
        services.AddLogging();
        services
            .AddIronCage()
            .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()) // a real host reads it from configuration
            .AddOpenAI("openai", o =>
            {
                o.BaseAddress = emulator.OpenAI.BaseAddress;
                o.AdminKey = emulator.OpenAI.AdminKey;
            })
            .AddRotation()
            .AddKeyResolver()
            .AddUsageTracking();
        services.AddHttpClient("openai-sdk").AddIronCageKey("openai/prod");
        await using var provider = services.BuildServiceProvider();

        var key = KeyReference.Parse("openai/prod");
        var rotator = provider.GetRequiredService<IKeyRotator>();
        using (var secret = seeded.ToSecretValue())
        {
            var scope = new Dictionary<string, string> { [OpenAIConstants.ProjectIdScopeKey] = EmulatorConstants.OpenAIProjectId };
            await rotator.RegisterAsync(new KeyRegistration { Reference = key, Scope = scope, ProviderKeyId = seeded.Id }, secret);
        }

        // 3. One ChatClient for the whole run: its transport is the IronCage client, its credential a placeholder the
        //    key handler replaces with the key of the moment (the placeholder never leaves the process).
        var transport = provider.GetRequiredService<IHttpClientFactory>().CreateIronCageTransport("openai-sdk");
        var chat = new ChatClient("gpt-4o-mini", IronCageSdk.CreateCredential(), new OpenAIClientOptions { Endpoint = emulator.OpenAI.BaseAddress, Transport = transport });
        var resolver = provider.GetRequiredService<IKeyResolver>();

        var first = await chat.CompleteChatAsync("Say hello.");
        var firstHint = (await resolver.ResolveAsync(key)).DisplayHint;
        output.WriteLine($"call 1  key {firstHint,-10} status {first.GetRawResponse().Status}  reply \"{first.Value.Content[0].Text}\"");

        // 4. Rotate with no grace period: the new key is created, verified and made current, the old one deleted.
        var operation = await rotator.RotateAsync(key, RotationReason.Manual, new RotationRequest { GracePeriod = Duration.Zero });
        output.WriteLine($"rotated {operation.Step}; the old key still works at the provider: {emulator.OpenAI.IsValid(seeded.Secret)}");

        // 5. The same ChatClient again: it now sends the new key, since the old one is gone this call proves it.
        var second = await chat.CompleteChatAsync("Say hello again.");
        var secondHint = (await resolver.ResolveAsync(key)).DisplayHint;
        output.WriteLine($"call 2  key {secondHint,-10} status {second.GetRawResponse().Status}  reply \"{second.Value.Content[0].Text}\"");

        // 6. Both calls went through IronCage's handlers, so their tokens were recorded against the key.
        await provider.GetRequiredService<IUsageRecorder>().FlushAsync();
        var now = SystemClock.Instance.GetCurrentInstant();
        var report = await provider.GetRequiredService<IUsageQuery>().GetReportAsync(now - Duration.FromDays(1), now + Duration.FromMinutes(1), UsageWindow.Day, key, byModel: true);
        foreach (var row in report.Rows)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"usage   {row.Model ?? "(unknown)"}: {row.Requests} requests, {row.InputTokens} tokens in, {row.OutputTokens} tokens out"));
        }

        var ok = first.GetRawResponse().Status == 200 && second.GetRawResponse().Status == 200 && firstHint != secondHint && report.TotalRequests == 2;
        output.WriteLine(ok ? "both calls succeeded with different keys through the same client" : "unexpected: the calls did not use two different keys");
        return ok ? 0 : 1;
    }
}
