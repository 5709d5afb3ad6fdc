using IronCage.Encryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IronCage.Http.Tests;

/// <summary>What a client carrying an IronCage key gets wrong is reported when the host starts, not at its first request.</summary>
public sealed class StartupValidationTests
{
    [Fact]
    public async Task AddIronCageKey_UnknownProvider_FailsWhenTheHostStartsNamingTheKey()
    {
        using var host = Host(services => services.AddHttpClient("chat").AddIronCageKey("opneai/prod"));

        var act = () => host.StartAsync();

        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("opneai/prod").And.Contain("not a provider IronCage knows");
    }

    [Fact]
    public async Task AddIronCageKey_InvalidHandlerOptions_FailWhenTheHostStarts()
    {
        using var host = Host(services => services.AddHttpClient("chat").AddIronCageKey("openai/prod", o => o.MaxUsageBodyBytes = 0));

        var act = () => host.StartAsync();

        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Message.Should().Contain("MaxUsageBodyBytes");
    }

    [Fact]
    public async Task AddIronCageKey_KnownProviderAndValidOptions_Starts()
    {
        using var host = Host(services => services.AddHttpClient("chat").AddIronCageKey("openai/prod"));

        await host.StartAsync();
        await host.StopAsync();
    }

    private static IHost Host(Action<IServiceCollection> configure)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey());
        configure(builder.Services);
        return builder.Build();
    }
}
