using IronCage.Conformance;
using IronCage.Providers.Tests;
using IronCage.Providers.XAI;
using IronCage.Rotation;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Providers.XAI.Tests;

/// <summary>The conformance suite for xAI, against the emulator.</summary>
public sealed class XAIConformanceTests : EmulatorConformanceTests
{
    protected override ProviderKeyContext Context => new() { Key = new KeyReference(ProviderId.XAI, "prod") };

    private protected override ProviderHost CreateHost() => XAIEndToEndTests.Host(Emulator);
}

/// <summary>The rotation engine rotates an xAI key automatically at the emulator.</summary>
public sealed class XAIEndToEndTests : IAsyncLifetime
{
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await ProviderEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    internal static ProviderHost Host(ProviderEmulator emulator, Action<IServiceCollection>? hostServices = null)
        => new(b => b.AddXAI("xai", o =>
        {
            o.BaseAddress = emulator.XAI.BaseAddress;
            o.InferenceAddress = emulator.XAI.InferenceAddress;
            o.ManagementKey = emulator.XAI.ManagementKey;
            o.TeamId = emulator.XAI.TeamId;
            o.RetryDelay = TimeSpan.FromMilliseconds(1);
        }), XAIConstants.HttpClientName, hostServices: hostServices);

    [Fact]
    public async Task RotateAsync_CreatesAKeyWithTheTeamsAclsAndDeletesTheOldOneAfterGrace()
    {
        using var host = Host(_emulator);
        var seeded = _emulator.XAI.AddKey("prod");
        var reference = new KeyReference(ProviderId.XAI, "prod");
        using (var current = seeded.ToSecretValue())
        {
            await host.Rotator.RegisterAsync(new KeyRegistration { Reference = reference, ProviderKeyId = seeded.Id }, current);
        }

        var operation = await host.Rotator.RotateAsync(reference, RotationReason.Manual);

        operation.Step.Should().Be(RotationStep.GracePeriod, operation.LastError);
        var key = await host.Keys.GetAsync(reference);
        using var fresh = await host.OpenAsync(reference, key.CurrentVersion!);
        _emulator.XAI.IsValid(fresh.Reveal()).Should().BeTrue();
        _emulator.XAI.IsValid(seeded.Secret).Should().BeTrue("both keys work during the grace period");
        _emulator.XAI.GetAcls(operation.NewProviderKeyId!).Should().Equal(XAIConstants.AllModelsAcl, XAIConstants.AllEndpointsAcl);

        await host.FinishGraceAsync();

        _emulator.XAI.IsValid(seeded.Secret).Should().BeFalse("the old key was deleted at the provider");
        (await host.Adapter.VerifyAsync(ProviderKeyContext.For(key), fresh)).IsValid.Should().BeTrue();
        using (var old = seeded.ToSecretValue())
        {
            (await host.Adapter.VerifyAsync(ProviderKeyContext.For(key), old)).ErrorKind.Should().Be(ProviderErrorKind.InvalidKey, "xAI's 400 'Incorrect API key provided' means the key is gone");
        }

        host.Logs.ShouldNotContainAny([seeded.Secret, fresh.Reveal(), _emulator.XAI.ManagementKey]);
    }

    [Fact]
    public async Task RotateAsync_HostWithStandardResilienceDefaultsAndACreateAnswered500AfterActing_SendsItOnceAndEndsWithOneLiveKey()
    {
        using var host = Host(_emulator, s => s.ConfigureHttpClientDefaults(b => b.AddStandardResilienceHandler()));
        var seeded = _emulator.XAI.AddKey("prod");
        var reference = new KeyReference(ProviderId.XAI, "prod");
        using (var current = seeded.ToSecretValue())
        {
            await host.Rotator.RegisterAsync(new KeyRegistration { Reference = reference, ProviderKeyId = seeded.Id }, current);
        }

        _emulator.XAI.InjectFault(new EmulatedFault { StatusCode = 500, AfterHandling = true, Method = "POST", PathContains = "/api-keys" });

        var operation = await host.Rotator.RotateAsync(reference, RotationReason.Manual, new RotationRequest { GracePeriod = Duration.Zero });

        operation.Step.Should().Be(RotationStep.Completed, operation.LastError);
        _emulator.XAI.Requests.Count(r => r.StartsWith("POST", StringComparison.Ordinal) && r.Contains("api-keys", StringComparison.Ordinal))
            .Should().Be(2, "the create answered 500 reached the provider once (no layer resent it); the engine removed what it made and created once more");
        var live = new List<ProviderKeyInfo>();
        await foreach (var info in host.Adapter.ListKeysAsync(ProviderKeyContext.For(await host.Keys.GetAsync(reference))))
        {
            live.Add(info);
        }

        live.Should().ContainSingle("the orphan of the 500 and the old key are gone").Which.ProviderKeyId.Should().Be(operation.NewProviderKeyId);
    }

    [Fact]
    public async Task VerifyAsync_DisabledOrBlockedKey_IsInvalid()
    {
        using var host = Host(_emulator);
        var disabled = _emulator.XAI.AddKey("disabled");
        var blocked = _emulator.XAI.AddKey("blocked");
        _emulator.XAI.SetState(disabled.Id, disabled: true);
        _emulator.XAI.SetState(blocked.Id, disabled: false, blocked: true);
        var context = new ProviderKeyContext { Key = new KeyReference(ProviderId.XAI, "prod") };

        using var first = disabled.ToSecretValue();
        using var second = blocked.ToSecretValue();

        (await host.Adapter.VerifyAsync(context, first)).ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        (await host.Adapter.VerifyAsync(context, second)).ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
    }

    [Fact]
    public async Task ListKeysAsync_FollowsPageTokens()
    {
        using var host = Host(_emulator);
        _emulator.XAI.PageSize = 2;
        var ids = Enumerable.Range(0, 5).Select(i => _emulator.XAI.AddKey($"k{i}").Id).ToList();

        var listed = new List<string>();
        await foreach (var info in host.Adapter.ListKeysAsync(new ProviderKeyContext { Key = new KeyReference(ProviderId.XAI, "prod") }))
        {
            listed.Add(info.ProviderKeyId);
        }

        listed.Should().Equal(ids);
        _emulator.XAI.Requests.Count(r => r.StartsWith("GET", StringComparison.Ordinal) && r.Contains("api-keys", StringComparison.Ordinal)).Should().Be(3);
    }
}
