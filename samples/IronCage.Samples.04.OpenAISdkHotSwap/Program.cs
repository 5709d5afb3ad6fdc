using System.ClientModel;
using IronCage.Encryption;
using IronCage.Http;
using IronCage.Providers.OpenAI;
using IronCage.Rotation;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using OpenAI;
using OpenAI.Chat;

namespace IronCage.Samples.OpenAISdkHotSwap;

/// <summary>
/// The official OpenAI SDK with a credential IronCage keeps current: one <see cref="ChatClient"/> is created once, the
/// key behind it is rotated (the old key deleted at the provider at once), and the same client keeps working.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out);

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        // 1. The OpenAI emulator on loopback, with the project key the application uses today.
        await using var emulator = await ProviderEmulator.StartAsync();
        var seeded = emulator.OpenAI.AddProjectKey("prod");

        // 2. IronCage: the OpenAI adapter (rotates keys at the emulator), the engine, and the key resolver that the
        //    live SDK credentials read from.
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
            .AddKeyResolver();
        await using var provider = services.BuildServiceProvider();

        var key = KeyReference.Parse("openai/prod");
        var rotator = provider.GetRequiredService<IKeyRotator>();
        using (var secret = seeded.ToSecretValue())
        {
            var scope = new Dictionary<string, string> { [OpenAIConstants.ProjectIdScopeKey] = EmulatorConstants.OpenAIProjectId };
            await rotator.RegisterAsync(new KeyRegistration { Reference = key, Scope = scope, ProviderKeyId = seeded.Id }, secret);
        }

        // 3. One ApiKeyCredential that follows the managed key, and one ChatClient built with it, for the whole run.
        var credential = await provider.GetRequiredService<IronCageApiKeyCredentials>().GetAsync(key);
        var chat = new ChatClient("gpt-4o-mini", credential, new OpenAIClientOptions { Endpoint = emulator.OpenAI.BaseAddress });
        var resolver = provider.GetRequiredService<IKeyResolver>();

        var first = await chat.CompleteChatAsync("Say hello.");
        var firstHint = (await resolver.ResolveAsync(key)).DisplayHint;
        output.WriteLine($"call 1  key {firstHint,-10} status {first.GetRawResponse().Status}  reply \"{first.Value.Content[0].Text}\"");

        // 4. Rotate with no grace period: the new key is created, verified and made current, the old one deleted.
        credential.Deconstruct(out var before); // kept in memory only, to notice when the credential has moved on
        var operation = await rotator.RotateAsync(key, RotationReason.Manual, new RotationRequest { GracePeriod = Duration.Zero });
        output.WriteLine($"rotated {operation.Step}; the old key still works at the provider: {emulator.OpenAI.IsValid(seeded.Secret)}");
        await WaitForUpdateAsync(credential, before);

        // 5. The same ChatClient again: it now sends the new key, since the old one is gone this call proves it.
        var second = await chat.CompleteChatAsync("Say hello again.");
        var secondHint = (await resolver.ResolveAsync(key)).DisplayHint;
        output.WriteLine($"call 2  key {secondHint,-10} status {second.GetRawResponse().Status}  reply \"{second.Value.Content[0].Text}\"");

        var ok = first.GetRawResponse().Status == 200 && second.GetRawResponse().Status == 200 && firstHint != secondHint;
        output.WriteLine(ok ? "both calls succeeded with different keys through the same client" : "unexpected: the calls did not use two different keys");
        return ok ? 0 : 1;
    }

    // The credential is updated when the resolver sees the rotation (a change notification, moments later).
    private static async Task WaitForUpdateAsync(ApiKeyCredential credential, string before)
    {
        for (var i = 0; i < 200; i++)
        {
            credential.Deconstruct(out var current);
            if (current != before)
            {
                return;
            }

            await Task.Delay(10);
        }
    }
}
