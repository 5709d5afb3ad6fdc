using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Storage;
using IronCage.Verification;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Core.Tests.DependencyInjection;

public sealed class AddIronCageTests
{
    private static readonly string MasterKey = LocalMasterKeyProvider.GenerateMasterKey();

    [Fact]
    public void AddIronCage_Twice_RegistersEverythingOnce()
    {
        var once = new ServiceCollection();
        once.AddIronCage().ProtectKeysWithMasterKey(MasterKey);

        var twice = new ServiceCollection();
        twice.AddIronCage().ProtectKeysWithMasterKey(MasterKey);
        twice.AddIronCage().ProtectKeysWithMasterKey(MasterKey);

        foreach (var type in new[] { typeof(IKeyVerifier), typeof(IKeyStore), typeof(IAuditLog), typeof(IProviderCatalog), typeof(ISecretProtector), typeof(IClock), typeof(IValidateOptions<IronCageOptions>) })
        {
            twice.Count(d => d.ServiceType == type).Should().Be(once.Count(d => d.ServiceType == type), type.Name);
        }

        using var provider = twice.BuildServiceProvider(validateScopes: true);
        provider.GetServices<IKeyVerifier>().Should().ContainSingle();
        provider.GetRequiredService<IOptions<IronCageOptions>>().Value.Should().NotBeNull();
    }

    [Fact]
    public void AddIronCage_EveryConfigureApplies()
    {
        var services = new ServiceCollection();
        services.AddIronCage(o => o.DefaultGracePeriod = Duration.FromHours(2)).ProtectKeysWithMasterKey(MasterKey);
        services.AddIronCage(o => o.VerifyTimeout = TimeSpan.FromSeconds(5));

        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<IOptions<IronCageOptions>>().Value;
        options.DefaultGracePeriod.Should().Be(Duration.FromHours(2));
        options.VerifyTimeout.Should().Be(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Host_WithValidConfiguration_StartsAndResolvesTheCore()
    {
        using var host = Host.CreateDefaultBuilder()
            .ConfigureServices(s => s.AddIronCage().ProtectKeysWithMasterKey(MasterKey))
            .Build();

        await host.StartAsync();
        host.Services.GetRequiredService<IKeyVerifier>().Should().NotBeNull();
        host.Services.GetRequiredService<ISecretProtector>().Should().BeOfType<EnvelopeSecretProtector>();
        host.Services.GetRequiredService<ISecretFingerprinter>().Should().BeOfType<HmacSecretFingerprinter>();
        host.Services.GetRequiredService<KeyFormatValidator>().Should().NotBeNull();
        await host.StopAsync();
    }

    [Theory]
    [InlineData(null, "*IRONCAGE_MASTER_KEY is empty*IRONCAGE_MASTER_KEY environment variable*")]
    [InlineData("", "*IRONCAGE_MASTER_KEY is empty*IRONCAGE_MASTER_KEY environment variable*")]
    [InlineData("bm90IDMyIGJ5dGVz", "*exactly 32 bytes*")]
    public async Task Host_WithBadMasterKey_DoesNotStart(string? masterKey, string message)
    {
        using var host = Host.CreateDefaultBuilder()
            .ConfigureServices(s => s.AddIronCage().ProtectKeysWithMasterKey(masterKey))
            .Build();

        var act = async () => await host.StartAsync();
        await act.Should().ThrowAsync<OptionsValidationException>().WithMessage(message);
    }

    [Fact]
    public async Task Host_WithoutAnyMasterKey_DoesNotStart()
    {
        var variable = "IRONCAGE_TEST_UNSET_" + Guid.NewGuid().ToString("N");
        using var host = Host.CreateDefaultBuilder()
            .ConfigureServices(s => s.AddIronCage().ProtectKeysWithMasterKeyFromEnvironment(variable))
            .Build();

        var act = async () => await host.StartAsync();
        await act.Should().ThrowAsync<OptionsValidationException>().WithMessage($"*{variable}*");
    }

    [Fact]
    public async Task Host_WithBadOptions_ReportsEveryProblem()
    {
        using var host = Host.CreateDefaultBuilder()
            .ConfigureServices(s => s.AddIronCage(o =>
                {
                    o.DefaultGracePeriod = Duration.FromDays(45);
                    o.DefaultExpiryWarningLead = Duration.FromDays(-1);
                    o.VerifyTimeout = TimeSpan.FromMilliseconds(10);
                    o.ProviderBaseAddresses[ProviderId.OpenAI] = new Uri("/relative", UriKind.Relative);
                })
                .ProtectKeysWithMasterKey(MasterKey))
            .Build();

        var act = async () => await host.StartAsync();
        var failures = (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Failures.ToList();
        failures.Should().HaveCount(4);
        failures.Should().Contain(f => f.Contains("DefaultGracePeriod", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("DefaultExpiryWarningLead", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("VerifyTimeout", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("ProviderBaseAddresses['openai']", StringComparison.Ordinal));
    }

    [Fact]
    public void AddProvider_ReachesTheCatalog()
    {
        var acme = new ProviderDescriptor(new ProviderId("acme-llm"), "Acme LLM")
        {
            ConsoleUrl = new Uri("https://acme.example/keys"),
            Capabilities = ProviderCapabilities.Verify,
            VerifyCall = new VerifyCall(HttpMethod.Get, "https://api.acme.example/v1/me"),
        };
        var services = new ServiceCollection();
        services.AddIronCage(o => o.AddProvider(acme)).ProtectKeysWithMasterKey(MasterKey);

        using var provider = services.BuildServiceProvider();
        var catalog = provider.GetRequiredService<IProviderCatalog>();
        catalog.GetDescriptor(acme.Id).Should().BeSameAs(acme);
        catalog.GetDescriptor(ProviderId.OpenAI).Should().NotBeNull();
    }

    [Fact]
    public void HostRegisteredServices_WinOverDefaults()
    {
        var clock = new FakeClock(Instant.FromUtc(2026, 1, 1, 0, 0));
        var store = new InMemoryKeyStore();
        var services = new ServiceCollection();
        services.AddSingleton<IClock>(clock);
        services.AddSingleton<IKeyStore>(store);
        services.AddIronCage().ProtectKeysWithMasterKey(MasterKey);

        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IClock>().Should().BeSameAs(clock);
        provider.GetRequiredService<IKeyStore>().Should().BeSameAs(store);
    }

    [Fact]
    public void AddProviderAdapter_ByType_IsAddedOnce()
    {
        var services = new ServiceCollection();
        services.AddIronCage().ProtectKeysWithMasterKey(MasterKey).AddProviderAdapter<GroqTestAdapter>().AddProviderAdapter<GroqTestAdapter>();
        using var provider = services.BuildServiceProvider();
        provider.GetServices<IProviderAdapter>().Should().ContainSingle().Which.Should().BeOfType<GroqTestAdapter>();
    }

    [Fact]
    public async Task ProviderAdapter_Base_ThrowsNotSupportedForEveryOperationItDoesNotOverride()
    {
        var adapter = new GroqTestAdapter();
        var context = new ProviderKeyContext { Key = KeyReference.Parse("groq/prod") };
        using var key = SecretValue.FromString("gsk_" + new string('a', 26) + new string('b', 26));

        (await ((Func<Task>)(() => adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = context, Name = "n" }))).Should().ThrowAsync<NotSupportedByProviderException>())
            .Which.Capability.Should().Be(ProviderCapabilities.Create);
        await ((Func<Task>)(() => adapter.DeleteKeyAsync(context, "id"))).Should().ThrowAsync<NotSupportedByProviderException>();
        await ((Func<Task>)(() => adapter.DeactivateKeyAsync(context, "id"))).Should().ThrowAsync<NotSupportedByProviderException>();
        await ((Func<Task>)(() => adapter.UndeleteKeyAsync(context, "id"))).Should().ThrowAsync<NotSupportedByProviderException>();
        await ((Func<Task>)(() => adapter.RegenerateSlotAsync(context, "Key1"))).Should().ThrowAsync<NotSupportedByProviderException>();
        await ((Func<Task>)(() => adapter.GetKeyAsync(context, "id"))).Should().ThrowAsync<NotSupportedByProviderException>();
        await ((Func<Task>)(() => adapter.VerifyAsync(context, key))).Should().ThrowAsync<NotSupportedByProviderException>();
        adapter.Invoking(a => a.ListKeysAsync(context)).Should().Throw<NotSupportedByProviderException>();
    }

    private sealed class GroqTestAdapter : ProviderAdapter
    {
        public override ProviderId Provider => ProviderId.Groq;

        public override ProviderCapabilities Capabilities => ProviderCapabilities.None;
    }
}
