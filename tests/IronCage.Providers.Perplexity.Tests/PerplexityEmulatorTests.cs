using IronCage.Conformance;
using IronCage.Providers.Perplexity;
using IronCage.Providers.Tests;
using IronCage.Rotation;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Providers.Perplexity.Tests;

/// <summary>The conformance suite for Perplexity, against the emulator (Delete is a revoke by value).</summary>
public sealed class PerplexityConformanceTests : EmulatorConformanceTests
{
    protected override ProviderKeyContext Context => new() { Key = new KeyReference(ProviderId.Perplexity, "prod") };

    private protected override ProviderHost CreateHost() => PerplexityEndToEndTests.Host(Emulator);
}

/// <summary>
/// Perplexity keys through the rotation engine at the emulator. With the built-in catalog Perplexity has no free
/// verification call, so it rotates on the Manual tier (a person creates the key and IronCage stops serving the old
/// one); a host that accepts paying for a chat completion to verify (its own descriptor) gets the Automatic tier, where
/// IronCage creates the key and revokes the old one by its value.
/// </summary>
public sealed class PerplexityEndToEndTests : IAsyncLifetime
{
    private static readonly KeyReference Reference = new(ProviderId.Perplexity, "prod");
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await ProviderEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    internal static ProviderHost Host(ProviderEmulator emulator, Action<IServiceCollection>? hostServices = null)
        => new(b => b.AddPerplexity("perplexity", o =>
        {
            o.BaseAddress = emulator.Perplexity.BaseAddress;
            o.ManagementKey = emulator.Perplexity.ManagementKey;
            o.RetryDelay = TimeSpan.FromMilliseconds(1);
        }), PerplexityConstants.HttpClientName, hostServices: hostServices);

    [Fact]
    public async Task RecordManualRotationAsync_BuiltInCatalog_RotatesOnTheManualTierWithoutAnyCallToPerplexity()
    {
        using var host = Host(_emulator);
        var seeded = _emulator.Perplexity.AddKey("prod");
        using (var current = seeded.ToSecretValue())
        {
            // Nothing can verify it: a person vouches for the key they register.
            await host.Rotator.RegisterAsync(new KeyRegistration { Reference = Reference, ProviderKeyId = seeded.Id, Verify = false }, current);
        }

        var waiting = await host.Rotator.RotateAsync(Reference, RotationReason.Scheduled);
        waiting.Tier.Should().Be(RotationTier.Manual, "no free call verifies a Perplexity key, and a rotation never promotes an unverified key it made itself");
        waiting.Step.Should().Be(RotationStep.AwaitingNewKey);

        var created = _emulator.Perplexity.AddKey("prod-2");
        using (var fresh = created.ToSecretValue())
        {
            var operation = await host.Rotator.RecordManualRotationAsync(Reference, fresh);
            operation.Step.Should().Be(RotationStep.GracePeriod, operation.LastError);
        }

        await host.FinishGraceAsync();

        var key = await host.Keys.GetAsync(Reference);
        key.Versions.Single(v => v.ProviderKeyId == seeded.Id).Stage.Should().Be(KeyStage.Revoked, "IronCage no longer serves the old key");
        using (var served = await host.OpenAsync(Reference, key.CurrentVersion!))
        {
            served.Reveal().Should().Be(created.Secret);
        }

        _emulator.Perplexity.IsValid(seeded.Secret).Should().BeTrue("on the Manual tier a person revokes the old key in the console");
        _emulator.Perplexity.Requests.Should().BeEmpty("the Manual tier neither verifies (no free call) nor revokes at Perplexity");
        host.Logs.ShouldNotContainAny([seeded.Secret, created.Secret, _emulator.Perplexity.ManagementKey]);
    }

    [Fact]
    public async Task RotateAsync_HostDescriptorVerifyingWithAChatCompletion_CreatesVerifiesAndAfterGraceRevokesTheOldKeyByValue()
    {
        using var host = Host(_emulator, VerifiedByChatCompletion(_emulator));
        var seeded = _emulator.Perplexity.AddKey("prod");
        using (var current = seeded.ToSecretValue())
        {
            await host.Rotator.RegisterAsync(new KeyRegistration { Reference = Reference, ProviderKeyId = seeded.Id }, current);
        }

        var operation = await host.Rotator.RotateAsync(Reference, RotationReason.Manual);

        operation.Tier.Should().Be(RotationTier.Automatic);
        operation.Step.Should().Be(RotationStep.GracePeriod, operation.LastError);
        var key = await host.Keys.GetAsync(Reference);
        using var fresh = await host.OpenAsync(Reference, key.CurrentVersion!);
        _emulator.Perplexity.IsValid(fresh.Reveal()).Should().BeTrue();
        _emulator.Perplexity.IsValid(seeded.Secret).Should().BeTrue("both keys work during the grace period");
        _emulator.Perplexity.Requests.Should().Contain("POST generate_auth_token").And.Contain("POST chat/completions").And.NotContain("POST revoke_auth_token");

        await host.FinishGraceAsync();

        _emulator.Perplexity.IsValid(seeded.Secret).Should().BeFalse("the old key was revoked with its sealed value");
        _emulator.Perplexity.IsValid(fresh.Reveal()).Should().BeTrue();
        _emulator.Perplexity.IsValid(_emulator.Perplexity.ManagementKey).Should().BeTrue("the connection's own key is never rotated");
        _emulator.Perplexity.Requests.Count(r => r == "POST revoke_auth_token").Should().Be(1);
        (await host.Keys.GetAsync(Reference)).Versions.Single(v => v.ProviderKeyId == seeded.Id).Stage.Should().Be(KeyStage.Revoked);
        host.Logs.ShouldNotContainAny([seeded.Secret, fresh.Reveal(), _emulator.Perplexity.ManagementKey]);
    }

    [Fact]
    public async Task RotateAsync_NewKeyThatNeverVerifies_IsRevokedByValueOnRollback()
    {
        using var host = Host(_emulator, VerifiedByChatCompletion(_emulator));
        var seeded = _emulator.Perplexity.AddKey("prod");
        using (var current = seeded.ToSecretValue())
        {
            await host.Rotator.RegisterAsync(new KeyRegistration { Reference = Reference, ProviderKeyId = seeded.Id }, current);
        }

        _emulator.Perplexity.InjectFault(new EmulatedFault { StatusCode = 401, Times = 100, PathContains = "chat/completions" });

        var operation = await host.Rotator.RotateAsync(Reference, RotationReason.Manual);
        for (var round = 0; round < 5 && operation.Step != RotationStep.Failed; round++)
        {
            host.Clock.Advance(NodaTime.Duration.FromHours(1));
            await host.Scheduler.RunDueAsync(host.Clock.GetCurrentInstant());
            operation = (await host.Rotator.GetOperationAsync(operation.OperationId))!;
        }

        operation.Step.Should().Be(RotationStep.Failed, operation.LastError);
        operation.LastError.Should().NotContain("could not be removed");
        _emulator.Perplexity.Requests.Should().Contain("POST revoke_auth_token", "the key it made is discarded at Perplexity, by its value");
        _emulator.Perplexity.IsValid(seeded.Secret).Should().BeTrue("the old key stays current");
        var key = await host.Keys.GetAsync(Reference);
        key.CurrentVersion!.ProviderKeyId.Should().Be(seeded.Id);
        host.Logs.ShouldNotContainAny([seeded.Secret, _emulator.Perplexity.ManagementKey]);
    }

    // What a host registers to let IronCage spend a one-token chat completion on verifying a Perplexity key.
    private static Action<IServiceCollection> VerifiedByChatCompletion(ProviderEmulator emulator) => services => services.Configure<IronCageOptions>(o =>
    {
        o.AddProvider(new ProviderDescriptor(ProviderId.Perplexity, "Perplexity")
        {
            Capabilities = ProviderCapabilities.Create | ProviderCapabilities.Delete | ProviderCapabilities.Verify,
            ConsoleUrl = new Uri("https://www.perplexity.ai/account/api/keys"),
            ApiBaseUrl = PerplexityConstants.DefaultBaseAddress,
            KeyFormats = [new(KeyKind.Inference, "pplx-[A-Za-z0-9]{48}", "pplx- followed by 48 letters and digits", "pplx-")],
            Auth = AuthScheme.Bearer,
            VerifyCall = new VerifyCall(HttpMethod.Post, "https://api.perplexity.ai/chat/completions") { Body = """{"model":"sonar","messages":[{"role":"user","content":"ping"}],"max_tokens":1}""" },
        });
        o.ProviderBaseAddresses[ProviderId.Perplexity] = emulator.Perplexity.BaseAddress;
    });
}
