using IronCage.Conformance;
using IronCage.Encryption;
using IronCage.Providers.Http;
using IronCage.Providers.OpenAI;
using IronCage.Providers.Tests;
using IronCage.Rotation;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Providers.OpenAI.Tests;

/// <summary>The conformance suite for OpenAI project keys, against the emulator.</summary>
public sealed class OpenAIProjectKeyConformanceTests : EmulatorConformanceTests
{
    protected override ProviderKeyContext Context => new() { Key = new KeyReference(ProviderId.OpenAI, "prod"), Scope = new Dictionary<string, string> { [OpenAIConstants.ProjectIdScopeKey] = EmulatorConstants.OpenAIProjectId } };

    private protected override ProviderHost CreateHost() => OpenAIEndToEndTests.Host(Emulator);
}

/// <summary>The conformance suite for OpenAI admin keys, against the emulator.</summary>
public sealed class OpenAIAdminKeyConformanceTests : EmulatorConformanceTests
{
    protected override ProviderKeyContext Context => new() { Key = new KeyReference(ProviderId.OpenAI, "admin"), Kind = KeyKind.Admin };

    private protected override ProviderHost CreateHost() => OpenAIEndToEndTests.Host(Emulator);
}

/// <summary>The rotation engine rotates OpenAI keys at the emulator; resilience against injected faults; start-up checks.</summary>
public sealed class OpenAIEndToEndTests : IAsyncLifetime
{
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await ProviderEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    internal static ProviderHost Host(ProviderEmulator emulator, Action<OpenAIProviderOptions>? configure = null, Action<IServiceCollection>? hostServices = null)
        => new(b => b.AddOpenAI("openai", o =>
        {
            o.BaseAddress = emulator.OpenAI.BaseAddress;
            o.AdminKey = emulator.OpenAI.AdminKey;
            o.RetryDelay = TimeSpan.FromMilliseconds(1);
            configure?.Invoke(o);
        }), OpenAIConstants.HttpClientName, hostServices: hostServices);

    [Fact]
    public async Task CallBound_ProviderAnswering503Forever_CreateOnceVerifyAndRevokeOnePlusMaxRetries()
    {
        // docs/providers/plumbing.md: at the defaults (MaxRetries 2) a create is 1 request, a verify or a revoke 3.
        var context = new ProviderKeyContext { Key = new KeyReference(ProviderId.OpenAI, "prod"), Scope = new Dictionary<string, string> { [OpenAIConstants.ProjectIdScopeKey] = EmulatorConstants.OpenAIProjectId } };
        _emulator.OpenAI.InjectFault(new EmulatedFault { StatusCode = 503, Times = 1000 });

        var create = await CountAsync(h => h.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = context, Name = "ironcage-bound" }));
        var verify = await CountAsync(async h =>
        {
            using var key = SecretValue.FromString("sk-proj-bound");
            (await h.Adapter.VerifyAsync(context, key)).ErrorKind.Should().Be(ProviderErrorKind.Transient);
        });
        var revoke = await CountAsync(h => h.Adapter.DeleteKeyAsync(context, "key_bound"));

        create.Should().Be(1);
        verify.Should().Be(1 + ProviderHttpConstants.DefaultMaxRetries);
        revoke.Should().Be(1 + ProviderHttpConstants.DefaultMaxRetries);

        // A fresh host per operation: each gets its own circuit breaker, so the counts are those of one call alone.
        async Task<int> CountAsync(Func<ProviderHost, Task> operation)
        {
            using var host = Host(_emulator, o => o.RetryDelay = TimeSpan.Zero);
            var before = _emulator.OpenAI.Requests.Count;
            try
            {
                await operation(host);
            }
            catch (ProviderRequestException ex) when (ex.Kind == ProviderErrorKind.Transient)
            {
            }

            return _emulator.OpenAI.Requests.Count - before;
        }
    }

    [Fact]
    public async Task RotateAsync_HostWithStandardResilienceDefaultsAndACreateAnswered500AfterActing_SendsItOnceAndEndsWithOneLiveKey()
    {
        using var host = Host(_emulator, hostServices: s => s.ConfigureHttpClientDefaults(b => b.AddStandardResilienceHandler()));
        var seeded = _emulator.OpenAI.AddProjectKey("prod");
        var reference = new KeyReference(ProviderId.OpenAI, "prod");
        var context = new ProviderKeyContext { Key = reference, Scope = new Dictionary<string, string> { [OpenAIConstants.ProjectIdScopeKey] = EmulatorConstants.OpenAIProjectId } };
        using (var current = seeded.ToSecretValue())
        {
            await host.Rotator.RegisterAsync(new KeyRegistration { Reference = reference, Scope = context.Scope, ProviderKeyId = seeded.Id }, current);
        }

        _emulator.OpenAI.InjectFault(new EmulatedFault { StatusCode = 500, AfterHandling = true, Method = "POST", PathContains = "/service_accounts" });

        var operation = await host.Rotator.RotateAsync(reference, RotationReason.Manual, new RotationRequest { GracePeriod = Duration.Zero });

        operation.Step.Should().Be(RotationStep.Completed, operation.LastError);
        _emulator.OpenAI.Requests.Count(r => r.StartsWith("POST v1/organization/projects/proj_emulator/service_accounts", StringComparison.Ordinal))
            .Should().Be(2, "the create answered 500 reached the provider once (no layer resent it); the engine removed what it made and created once more");
        var live = new List<ProviderKeyInfo>();
        await foreach (var key in host.Adapter.ListKeysAsync(context))
        {
            live.Add(key);
        }

        live.Should().ContainSingle("the orphan of the 500 and the old key are gone").Which.ProviderKeyId.Should().Be(operation.NewProviderKeyId);
        _emulator.OpenAI.IsValid(seeded.Secret).Should().BeFalse();
    }

    [Fact]
    public async Task RotateAsync_ProjectKey_NewServiceAccountKeyWorksAndTheOldKeyIsDeletedAfterGrace()
    {
        using var host = Host(_emulator);
        var seeded = _emulator.OpenAI.AddProjectKey("prod");
        var reference = new KeyReference(ProviderId.OpenAI, "prod");
        using (var current = seeded.ToSecretValue())
        {
            await host.Rotator.RegisterAsync(new KeyRegistration { Reference = reference, Scope = new Dictionary<string, string> { [OpenAIConstants.ProjectIdScopeKey] = EmulatorConstants.OpenAIProjectId }, ProviderKeyId = seeded.Id }, current);
        }

        var operation = await host.Rotator.RotateAsync(reference, RotationReason.Manual);

        operation.Step.Should().Be(RotationStep.GracePeriod, operation.LastError);
        var key = await host.Keys.GetAsync(reference);
        using var fresh = await host.OpenAsync(reference, key.CurrentVersion!);
        _emulator.OpenAI.IsValid(fresh.Reveal()).Should().BeTrue();
        _emulator.OpenAI.IsValid(seeded.Secret).Should().BeTrue("both keys work during the grace period");

        await host.FinishGraceAsync();

        _emulator.OpenAI.IsValid(seeded.Secret).Should().BeFalse("the old key was deleted at the provider");
        var verified = await host.Adapter.VerifyAsync(ProviderKeyContext.For(key), fresh);
        verified.IsValid.Should().BeTrue();
        verified.RateLimits.Should().Be(new Verification.ProviderRateLimits { RequestLimit = 10_000, RequestsRemaining = 9_999, TokenLimit = 30_000_000, TokensRemaining = 29_999_980 }, "the emulator answers with OpenAI's x-ratelimit-* headers");
        verified.Organization.Should().Be(EmulatorConstants.OpenAIOrganizationId, "OpenAI names the organization in its openai-organization header");
        using (var old = seeded.ToSecretValue())
        {
            (await host.Adapter.VerifyAsync(ProviderKeyContext.For(key), old)).ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        }

        host.Logs.ShouldNotContainAny([seeded.Secret, fresh.Reveal(), _emulator.OpenAI.AdminKey]);
    }

    [Fact]
    public async Task RotateAsync_ProjectKeyMintedByIronCage_SecondRotationDeletesTheServiceAccount()
    {
        using var host = Host(_emulator);
        var seeded = _emulator.OpenAI.AddProjectKey("prod");
        var reference = new KeyReference(ProviderId.OpenAI, "prod");
        using (var current = seeded.ToSecretValue())
        {
            await host.Rotator.RegisterAsync(new KeyRegistration { Reference = reference, Scope = new Dictionary<string, string> { [OpenAIConstants.ProjectIdScopeKey] = EmulatorConstants.OpenAIProjectId } }, current);
        }

        await host.Rotator.RotateAsync(reference, RotationReason.Manual, new RotationRequest { GracePeriod = Duration.Zero });
        var minted = (await host.Keys.GetAsync(reference)).CurrentVersion!;
        using var mintedSecret = await host.OpenAsync(reference, minted);

        var second = await host.Rotator.RotateAsync(reference, RotationReason.Manual, new RotationRequest { GracePeriod = Duration.Zero });

        second.Step.Should().Be(RotationStep.Completed, second.LastError);
        _emulator.OpenAI.IsValid(mintedSecret.Reveal()).Should().BeFalse("its service account was deleted");
        _emulator.OpenAI.Requests.Should().Contain(r => r.StartsWith("DELETE v1/organization/projects/proj_emulator/service_accounts/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RotateAsync_AdminKeyWithLifetime_CreatesAnExpiringAdminKeyAndDeletesTheOldOne()
    {
        using var host = Host(_emulator);
        var seeded = _emulator.OpenAI.AddAdminKey("managed-admin");
        var reference = new KeyReference(ProviderId.OpenAI, "admin");
        using (var current = seeded.ToSecretValue())
        {
            await host.Rotator.RegisterAsync(new KeyRegistration { Reference = reference, Kind = KeyKind.Admin, ProviderKeyId = seeded.Id, Policy = new RotationPolicy { KeyLifetime = Duration.FromDays(30) } }, current);
        }

        var operation = await host.Rotator.RotateAsync(reference, RotationReason.Scheduled);

        operation.Step.Should().Be(RotationStep.GracePeriod, operation.LastError);
        var version = (await host.Keys.GetAsync(reference)).CurrentVersion!;
        version.ExpiresAt.Should().NotBeNull("the policy's lifetime became expires_in_seconds");
        using var fresh = await host.OpenAsync(reference, version);
        _emulator.OpenAI.IsValidAdminKey(fresh.Reveal()).Should().BeTrue();

        await host.FinishGraceAsync();

        _emulator.OpenAI.IsValidAdminKey(seeded.Secret).Should().BeFalse();
        _emulator.OpenAI.IsValidAdminKey(fresh.Reveal()).Should().BeTrue();
        _emulator.OpenAI.Requests.Should().Contain(r => r.StartsWith("POST v1/organization/admin_api_keys", StringComparison.Ordinal));
        host.Logs.ShouldNotContainAny([seeded.Secret, fresh.Reveal(), _emulator.OpenAI.AdminKey]);
    }

    [Fact]
    public async Task CreateKeyAsync_AnswerLostAfterTheProviderActed_SendsTheCreateOnceAndFailsAsTransient()
    {
        using var host = Host(_emulator);
        _emulator.OpenAI.InjectFault(new EmulatedFault { StatusCode = 502, AfterHandling = true, Method = "POST", PathContains = "/service_accounts" });
        var context = new ProviderKeyContext { Key = new KeyReference(ProviderId.OpenAI, "prod"), Scope = new Dictionary<string, string> { [OpenAIConstants.ProjectIdScopeKey] = EmulatorConstants.OpenAIProjectId } };

        var act = () => host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = context, Name = "ironcage-prod-once" });

        (await act.Should().ThrowAsync<ProviderRequestException>()).Which.Kind.Should().Be(ProviderErrorKind.Transient, "the rotation engine looks the key up by its name before it creates again");
        _emulator.OpenAI.Requests.Count(r => r.StartsWith("POST v1/organization/projects/proj_emulator/service_accounts", StringComparison.Ordinal)).Should().Be(1, "a create is never resent by the pipeline");
    }

    [Fact]
    public async Task Calls_ThatHang_TimeOutAsTransient()
    {
        using var host = Host(_emulator, o => { o.Timeout = TimeSpan.FromMilliseconds(300); o.MaxRetries = 0; });
        _emulator.OpenAI.InjectFault(new EmulatedFault { Hang = true });

        var act = () => host.Adapter.GetKeyAsync(new ProviderKeyContext { Key = new KeyReference(ProviderId.OpenAI, "admin"), Kind = KeyKind.Admin }, "key_x");

        (await act.Should().ThrowAsync<ProviderRequestException>()).Which.Kind.Should().Be(ProviderErrorKind.Transient);
    }

    [Fact]
    public async Task Calls_AfterRepeatedFailures_OpenTheCircuit()
    {
        using var host = Host(_emulator, o => o.MaxRetries = 0);
        _emulator.OpenAI.FailNext(500, times: 5);
        var context = new ProviderKeyContext { Key = new KeyReference(ProviderId.OpenAI, "admin"), Kind = KeyKind.Admin };
        for (var i = 0; i < 5; i++)
        {
            await FluentActions.Awaiting(() => host.Adapter.GetKeyAsync(context, "key_x")).Should().ThrowAsync<ProviderRequestException>();
        }

        var requests = _emulator.OpenAI.Requests.Count;
        var act = () => host.Adapter.GetKeyAsync(context, "key_x");

        (await act.Should().ThrowAsync<ProviderRequestException>()).Which.Message.Should().Contain("circuit open");
        _emulator.OpenAI.Requests.Count.Should().Be(requests, "an open circuit sends nothing");
    }

    [Fact]
    public void Startup_InferenceKeyGivenAsAdminKey_FailsNamingTheFix()
    {
        var services = new ServiceCollection();
        services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).AddOpenAI("openai-prod", o => o.AdminKey = IronCage.Testing.FakeKeys.GenerateText(ProviderId.OpenAI));
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptionsMonitor<OpenAIProviderOptions>>().Get("openai-prod");

        act.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("AdminKey").And.Contain("inference key").And.Contain("Create an admin key at");
    }

    [Fact]
    public async Task CreateKeyAsync_ServiceAccountFlow_EmulatorNamesTheKeyLikeOpenAIAndTheAdapterFindsItByItsAccount()
    {
        using var host = Host(_emulator);
        var context = new ProviderKeyContext { Key = new KeyReference(ProviderId.OpenAI, "prod"), Scope = new Dictionary<string, string> { [OpenAIConstants.ProjectIdScopeKey] = EmulatorConstants.OpenAIProjectId } };

        using var created = await host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = context, Name = "ironcage-prod-77" });

        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_emulator.OpenAI.BaseAddress, $"organization/projects/{EmulatorConstants.OpenAIProjectId}/api_keys/{created.ProviderKeyId}"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _emulator.OpenAI.AdminKey);
        using var raw = await http.SendAsync(request);
        using var json = System.Text.Json.JsonDocument.Parse(await raw.Content.ReadAsStringAsync());
        json.RootElement.GetProperty("name").GetString().Should().Be("Secret Key", "the emulator answers as the real API does");
        created.Name.Should().Be("ironcage-prod-77");
        var listed = new List<ProviderKeyInfo>();
        await foreach (var key in host.Adapter.ListKeysAsync(context))
        {
            listed.Add(key);
        }

        listed.Should().ContainSingle(k => k.ProviderKeyId == created.ProviderKeyId).Which.Name.Should().Be("ironcage-prod-77");
    }

    [Fact]
    public void Startup_WithoutAdminKeyFromConfiguration_FailsNamingTheConfigurationKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["IronCage:OpenAI:BaseAddress"] = "https://api.openai.com/v1/" }).Build();
        var services = new ServiceCollection();
        services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).AddOpenAI("openai-prod", configuration.GetSection("IronCage:OpenAI"));
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptionsMonitor<OpenAIProviderOptions>>().Get("openai-prod");

        act.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("IronCage:OpenAI:AdminKey");
    }

    [Fact]
    public void Options_FromConfiguration_AreBound()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["OpenAI:AdminKey"] = "sk-admin-configured", ["OpenAI:Timeout"] = "00:00:05", ["OpenAI:MaxRetries"] = "1" }).Build();
        var services = new ServiceCollection();
        services.AddIronCage().AddOpenAI("openai", configuration.GetSection("OpenAI"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<OpenAIProviderOptions>>().Get("openai");

        options.Timeout.Should().Be(TimeSpan.FromSeconds(5));
        options.MaxRetries.Should().Be(1);
        options.BaseAddress.Should().Be(OpenAIConstants.DefaultBaseAddress);
    }

    [Fact]
    public void AddOpenAI_Twice_RegistersOneAdapterForBothConnections()
    {
        var services = new ServiceCollection();
        // The adapter reads its descriptor from the host catalog, which needs a configured IronCage (a master key).
        services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).AddOpenAI("a", o => o.AdminKey = "sk-admin-a").AddOpenAI("b", o => o.AdminKey = "sk-admin-b");
        using var provider = services.BuildServiceProvider();

        provider.GetServices<IProviderAdapter>().Should().ContainSingle().Which.Provider.Should().Be(ProviderId.OpenAI);
    }
}
