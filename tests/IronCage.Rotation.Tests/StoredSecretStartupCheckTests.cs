using IronCage.Encryption;
using IronCage.Storage;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IronCage.Rotation.Tests;

/// <summary>A wrong master key for a store that already holds secrets stops the host at start, with the fix named.</summary>
public sealed class StoredSecretStartupCheckTests
{
    [Fact]
    public async Task HostStart_WithAMasterKeyThatDoesNotOpenTheStoredSecrets_FailsNamingTheFix()
    {
        var store = new InMemoryKeyStore();
        var sealedWith = LocalMasterKeyProvider.GenerateMasterKey();
        using (var first = Host(store, sealedWith))
        {
            await first.StartAsync();
            using var secret = FakeKeys.Generate(ProviderId.OpenRouter);
            await first.Services.GetRequiredService<IKeyRotator>().RegisterAsync(new KeyRegistration { Reference = new KeyReference(ProviderId.OpenRouter, "prod"), ProviderKeyId = "hash-1", Verify = false }, secret);
            await first.StopAsync();
        }

        using var wrong = Host(store, LocalMasterKeyProvider.GenerateMasterKey());
        var act = () => wrong.StartAsync();

        (await act.Should().ThrowAsync<IronCageException>()).Which.Message.Should().Contain("does not open the secrets already in the key store").And.Contain("RetiredMasterKeys");

        using var right = Host(store, sealedWith);
        await right.StartAsync();
        await right.StopAsync();
    }

    [Fact]
    public async Task HostStart_WithAnEmptyStore_StartsWhateverTheMasterKey()
    {
        using var host = Host(new InMemoryKeyStore(), LocalMasterKeyProvider.GenerateMasterKey());

        await host.StartAsync();
        await host.StopAsync();
    }

    private static IHost Host(IKeyStore store, string masterKey)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(store);
        builder.Services.AddIronCage().ProtectKeysWithMasterKey(masterKey).AddRotation();
        return builder.Build();
    }
}
