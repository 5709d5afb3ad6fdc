using IronCage.Conformance;
using IronCage.Providers.Anthropic;
using IronCage.Providers.Tests;
using IronCage.Rotation;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Providers.Anthropic.Tests;

/// <summary>The conformance suite for Anthropic, against the emulator (keys are seeded: Anthropic cannot create them by API).</summary>
public sealed class AnthropicConformanceTests : EmulatorConformanceTests
{
    protected override ProviderKeyContext Context => new() { Key = new KeyReference(ProviderId.Anthropic, "prod") };

    private protected override ProviderHost CreateHost() => AnthropicEndToEndTests.Host(Emulator);

    protected override Task<CreatedProviderKey?> SeedKeyAsync(IProviderAdapter adapter)
    {
        var key = Emulator.Anthropic.AddApiKey("conformance-" + Guid.NewGuid().ToString("N")[..8]);
        return Task.FromResult<CreatedProviderKey?>(new CreatedProviderKey(key.Id, key.ToSecretValue()));
    }
}

/// <summary>The rotation engine rotates an Anthropic key semi-automatically at the emulator.</summary>
public sealed class AnthropicEndToEndTests : IAsyncLifetime
{
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await ProviderEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    internal static ProviderHost Host(ProviderEmulator emulator)
        => new(b => b.AddAnthropic("anthropic", o =>
        {
            o.BaseAddress = emulator.Anthropic.BaseAddress;
            o.AdminKey = emulator.Anthropic.AdminKey;
            o.RetryDelay = TimeSpan.FromMilliseconds(1);
        }), AnthropicConstants.HttpClientName);

    [Fact]
    public async Task SupplyNewKeyAsync_FindsTheSuppliedKeyByItsHintAndDeactivatesTheOldOneAfterGrace()
    {
        using var host = Host(_emulator);
        var current = _emulator.Anthropic.AddApiKey("prod");
        var reference = new KeyReference(ProviderId.Anthropic, "prod");
        using (var secret = current.ToSecretValue())
        {
            var registered = await host.Rotator.RegisterAsync(new KeyRegistration { Reference = reference }, secret);
            registered.CurrentVersion!.ProviderKeyId.Should().Be(current.Id, "the key's id was found by listing and matching partial_key_hint");
        }

        var expiresAt = DateTimeOffset.UtcNow.AddDays(90);
        var supplied = _emulator.Anthropic.AddApiKey("prod-2", expiresAt: expiresAt);
        using var suppliedSecret = supplied.ToSecretValue();

        var operation = await host.Rotator.SupplyNewKeyAsync(reference, suppliedSecret);

        operation.Step.Should().Be(RotationStep.GracePeriod, operation.LastError);
        var version = (await host.Keys.GetAsync(reference)).CurrentVersion!;
        version.ProviderKeyId.Should().Be(supplied.Id);
        version.ExpiresAt.Should().Be(Instant.FromUnixTimeSeconds(expiresAt.ToUnixTimeSeconds()), "expires_at becomes the version's expiry, so expiry warnings follow it");
        _emulator.Anthropic.IsValid(current.Secret).Should().BeTrue("both keys work during the grace period");

        await host.FinishGraceAsync();

        _emulator.Anthropic.GetStatus(current.Id).Should().Be("inactive");
        _emulator.Anthropic.IsValid(current.Secret).Should().BeFalse();
        (await host.Adapter.VerifyAsync(new ProviderKeyContext { Key = reference }, suppliedSecret)).IsValid.Should().BeTrue();
        using (var old = current.ToSecretValue())
        {
            (await host.Adapter.VerifyAsync(new ProviderKeyContext { Key = reference }, old)).ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        }

        host.Logs.ShouldNotContainAny([current.Secret, supplied.Secret, _emulator.Anthropic.AdminKey]);
    }

    [Fact]
    public async Task RotateAsync_WaitsForAPersonToSupplyTheKey()
    {
        using var host = Host(_emulator);
        var current = _emulator.Anthropic.AddApiKey("prod");
        var reference = new KeyReference(ProviderId.Anthropic, "prod");
        using (var secret = current.ToSecretValue())
        {
            await host.Rotator.RegisterAsync(new KeyRegistration { Reference = reference }, secret);
        }

        var operation = await host.Rotator.RotateAsync(reference, RotationReason.Scheduled);

        operation.Step.Should().Be(RotationStep.AwaitingNewKey);
    }

    [Fact]
    public async Task Overloaded_IsRetried()
    {
        using var host = Host(_emulator);
        var key = _emulator.Anthropic.AddApiKey("prod");
        _emulator.Anthropic.FailNext(529, pathContains: "organizations/api_keys/");

        var info = await host.Adapter.GetKeyAsync(new ProviderKeyContext { Key = new KeyReference(ProviderId.Anthropic, "prod") }, key.Id);

        info!.Status.Should().Be(ProviderKeyStatus.Active);
        _emulator.Anthropic.Requests.Count(r => r.Contains(key.Id, StringComparison.Ordinal)).Should().Be(2);
    }

    [Fact]
    public void Startup_InferenceKeyGivenAsAdminKey_FailsNamingTheFix()
    {
        var services = new ServiceCollection();
        services.AddIronCage().AddAnthropic("anthropic", o => o.AdminKey = IronCage.Testing.FakeKeys.GenerateText(ProviderId.Anthropic));
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptionsMonitor<AnthropicProviderOptions>>().Get("anthropic");

        act.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("AdminKey").And.Contain("inference key").And.Contain("Create an admin key at");
    }

    [Fact]
    public void Startup_WithoutAdminKey_FailsNamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddIronCage().AddAnthropic("anthropic", _ => { });
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptionsMonitor<AnthropicProviderOptions>>().Get("anthropic");

        act.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("AdminKey is missing");
    }

    [Fact]
    public void HttpClient_DoesNotFollowRedirects()
    {
        // A redirect would carry the x-api-key header, and with it the admin key, to whatever host the answer names.
        var services = new ServiceCollection();
        services.AddIronCage().AddAnthropic("anthropic", o => o.AdminKey = "sk-ant-admin01-test");
        using var provider = services.BuildServiceProvider();

        var handler = provider.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(AnthropicConstants.HttpClientName);
        while (handler is DelegatingHandler delegating)
        {
            handler = delegating.InnerHandler!;
        }

        handler.Should().BeOfType<SocketsHttpHandler>().Which.AllowAutoRedirect.Should().BeFalse();
    }
}
