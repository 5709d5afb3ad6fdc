using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Providers.Http;
using IronCage.Rotation;
using IronCage.Storage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Samples.CustomAdapter;

/// <summary>
/// Teaching IronCage a provider it does not ship: "Acme LLM" gets a <see cref="ProviderDescriptor"/> (what the provider
/// is: console, key shape, auth, verify call) and an adapter (how to create, verify and delete its keys). Acme itself is
/// an in-process fake (<see cref="AcmeServer"/>), so the sample needs no network.
/// </summary>
public static class Program
{
    public static Task<int> Main(string[] args) => RunAsync(args, Console.Out);

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        // 1. The provider: an in-process fake of Acme's key API, seeded with the key the application uses today.
        var acme = new AcmeServer();
        var seeded = acme.Seed();

        // 2. The descriptor says what Acme is; the adapter says how to manage its keys; the connection (options validated
        //    at start, the HTTP client with IronCage's pipeline) comes from IronCage.Providers.Http.
        var services = new ServiceCollection();
        services.AddLogging();
        var ironCage = services
            .AddIronCage(o => o.AddProvider(AcmeAdapter.Descriptor))
            .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()) // a real host reads it from configuration
            .AddProviderAdapter<AcmeAdapter>()
            .AddRotation();
        ironCage.AddProviderConnection<AcmeAdapterOptions>("acme", o => o.AdminKey = AcmeServer.AdminKey, new ProviderClientSettings(AcmeAdapter.HttpClientName, "AddAcme"));
        services.AddHttpClient(AcmeAdapter.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => acme); // the in-process fake instead of the network

        await using var provider = services.BuildServiceProvider();
        var catalog = provider.GetRequiredService<IProviderCatalog>();
        var descriptor = catalog.GetDescriptor(AcmeAdapter.Id);
        output.WriteLine($"provider {descriptor.Id}: {descriptor.DisplayName}, tier {descriptor.Tier}, console {descriptor.ConsoleUrl}");

        // 3. Register the current key (verified through the adapter), then rotate it twice through the adapter.
        var rotator = provider.GetRequiredService<IKeyRotator>();
        var store = provider.GetRequiredService<IKeyStore>();
        var reference = new KeyReference(AcmeAdapter.Id, "prod");
        using (var secret = SecretValue.FromString(seeded.Secret))
        {
            await rotator.RegisterAsync(new KeyRegistration { Reference = reference, ProviderKeyId = seeded.Id }, secret);
        }

        output.WriteLine();
        output.WriteLine($"{"step",-12} {"outcome",-10} {"current key",-14} {"keys alive at Acme",18}");
        await PrintAsync("registered", "ok");
        for (var i = 1; i <= 2; i++)
        {
            // No grace period in a demo: the old key is deleted at Acme as soon as the new one is verified and current.
            var operation = await rotator.RotateAsync(reference, RotationReason.Manual, new RotationRequest { GracePeriod = Duration.Zero, Note = "custom adapter sample" });
            await PrintAsync($"rotation {i}", operation.Step.ToString());
        }

        output.WriteLine();
        output.WriteLine($"the first key still works at Acme: {acme.IsValid(seeded.Secret)}");
        output.WriteLine($"calls Acme received: {string.Join(", ", acme.Requests.Distinct())}");
        return 0;

        async Task PrintAsync(string step, string outcome)
        {
            var key = await store.GetAsync(reference);
            output.WriteLine($"{step,-12} {outcome,-10} {key.CurrentVersion?.DisplayHint,-14} {acme.LiveKeyCount,18}");
        }
    }
}
