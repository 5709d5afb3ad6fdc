using System.Text.Json;
using Amazon.Runtime;
using IronCage.Secrets.Cloud.Tests.AzureKeyVault;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IronCage.Secrets.Cloud.Tests;

/// <summary>The rotation engine's distribution step with every cloud target registered through its builder extension, against the emulators.</summary>
public sealed class EngineDistributionTests : IAsyncLifetime
{
    private KeyVaultEmulator _keyVault = null!;
    private SecretsManagerEmulator? _aws;
    private VaultEmulator _vault = null!;
    private KubernetesEmulator _cluster = null!;
    private CloudflareSecretsStoreEmulator _cloudflare = null!;

    public async Task InitializeAsync()
    {
        _keyVault = await KeyVaultEmulator.StartAsync();
        _vault = await VaultEmulator.StartAsync();
        _cluster = await KubernetesEmulator.StartAsync();
        _cloudflare = await CloudflareSecretsStoreEmulator.StartAsync();
        _cluster.AddSecret("chat", "llm-keys", new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-old" });
        _cluster.AddDeployment("chat", "chat-api");
    }

    public async Task DisposeAsync()
    {
        await _keyVault.DisposeAsync();
        if (_aws is not null)
        {
            await _aws.DisposeAsync();
        }
        await _vault.DisposeAsync();
        await _cluster.DisposeAsync();
        await _cloudflare.DisposeAsync();
    }

    [Fact]
    public async Task RotateAsync_EveryCloudTargetRegistered_EachHoldsTheNewKeyBeforeItIsPromoted()
    {
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI), extend: b => AddTargets(b));

        // The harness fakes time for the whole host, so the SigV4 signatures carry the fake clock: the emulator checks them against it.
        _aws = await SecretsManagerEmulator.StartAsync(harness.Services.GetRequiredService<TimeProvider>());
        _aws.CreateSecret("prod/llm", """{"OPENAI_API_KEY":"sk-old","OTHER":"kept"}""");
        var (registered, _) = await harness.RegisterAsync();

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised);

        operation.Step.Should().Be(RotationStep.Completed, operation.LastError);
        var key = await harness.Keys.GetAsync(registered.Reference);
        using var current = await harness.OpenAsync(key.CurrentVersion!, registered.Reference);
        var value = current.Reveal();
        _keyVault.GetValue("openai-api-key").Should().Be(value);
        _keyVault.GetTags("openai-api-key")!["ironcage-version"].Should().Be(operation.NewVersionId);
        using (var aws = JsonDocument.Parse(_aws.GetValue("prod/llm")!))
        {
            aws.RootElement.GetProperty("OPENAI_API_KEY").GetString().Should().Be(value);
            aws.RootElement.GetProperty("OTHER").GetString().Should().Be("kept");
        }

        _vault.Read("apps/chat")!["OPENAI_API_KEY"].Should().Be(value);
        _cluster.GetSecretValue("chat", "llm-keys", "OPENAI_API_KEY").Should().Be(value);
        _cluster.GetTemplateAnnotation("chat", "chat-api", "ironcage.io/restarted-for").Should().Be(operation.NewVersionId);
        _cloudflare.GetValue("chat-gw_openai_default").Should().Be(value);
        harness.Shared.Logs.Lines.Should().NotContain(l => l.Contains(value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Resume_WaitingForAdoption_RevokesTheOldKeyOnlyAfterTheDeploymentFinishedRollingOut()
    {
        _cluster.HoldRollouts = true;
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI), extend: b => b
            .WaitForKeyAdoption()
            .AddKubernetesSecretTarget("k8s", ConfigureKubernetes));
        var (registered, _) = await harness.RegisterAsync(policy: new RotationPolicy { GracePeriod = NodaTime.Duration.FromHours(24) });
        var oldVersion = registered.CurrentVersion!.VersionId;

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);
        operation.Step.Should().Be(RotationStep.GracePeriod, operation.LastError);
        harness.Clock.AdvanceMinutes(5);
        operation = await harness.Rotator.ResumeAsync(operation.OperationId);

        operation.Step.Should().Be(RotationStep.GracePeriod, "chat-api is still rolling out: its old pods hold the old key");
        operation.Adoption!.PendingConsumers.Should().Equal("kubernetes:chat/llm-keys#OPENAI_API_KEY");
        harness.Provider.LiveKeyIds.Should().HaveCount(2);

        _cluster.CompleteRollout("chat", "chat-api");
        harness.Clock.AdvanceSeconds(30);
        operation = await harness.Rotator.ResumeAsync(operation.OperationId);

        operation.Step.Should().Be(RotationStep.Completed);
        operation.Adoption!.State.Should().Be(KeyAdoptionState.Adopted);
        (await harness.Keys.GetAsync(registered.Reference)).FindVersion(oldVersion)!.Stage.Should().Be(KeyStage.Revoked);
        harness.Provider.LiveKeyIds.Should().HaveCount(1);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Resume_HostStoppedAfterSomeTargetsConfirmed_CallsOnlyTheOthersAndEveryStoreEndsWithTheNewKey(int confirmedBeforeStop)
    {
        var clock = NodaTime.Testing.FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        var shared = new RotationHarness.SharedState();
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        string operationId;
        IReadOnlyList<KeyDistributionConfirmation> before;
        KeyReference reference;
        using (var stop = new CancellationTokenSource())
        using (var first = new RotationHarness(provider, clock, shared, extend: b => StopAfter(AddTargets(b), o => o.DistributedTo.Count == confirmedBeforeStop, stop)))
        {
            _aws = await SecretsManagerEmulator.StartAsync(first.Services.GetRequiredService<TimeProvider>());
            _aws.CreateSecret("prod/llm", """{"OPENAI_API_KEY":"sk-old","OTHER":"kept"}""");
            var (registered, _) = await first.RegisterAsync();
            reference = registered.Reference;

            var act = () => first.Rotator.RotateAsync(reference, RotationReason.Scheduled, cancellationToken: stop.Token);

            await act.Should().ThrowAsync<OperationCanceledException>();
            var stopped = (await shared.Operations.FindActiveAsync(reference))!;
            operationId = stopped.OperationId;
            before = stopped.DistributedTo;
        }

        before.Should().HaveCount(confirmedBeforeStop);
        var requestsBefore = Emulators().ToDictionary(e => e.Prefix, e => e.Requests());
        using var second = new RotationHarness(provider, clock, shared, extend: b => AddTargets(b));

        var operation = await second.Rotator.ResumeAsync(operationId);

        operation.Step.Should().Be(RotationStep.GracePeriod, operation.LastError);
        operation.DistributedTo.Should().HaveCount(5);
        operation.DistributedTo.Take(confirmedBeforeStop).Should().BeEquivalentTo(before, "a confirmed target keeps its confirmation");
        foreach (var (prefix, requests) in Emulators())
        {
            var called = requests() > requestsBefore[prefix];
            called.Should().Be(!before.Any(c => c.Target.StartsWith(prefix, StringComparison.Ordinal)), $"{prefix} is called again only when it had not confirmed before the stop");
        }

        var key = await second.Keys.GetAsync(reference);
        using var current = await second.OpenAsync(key.FindVersion(operation.NewVersionId)!, reference);
        var value = current.Reveal();
        _keyVault.GetValue("openai-api-key").Should().Be(value);
        using (var aws = JsonDocument.Parse(_aws!.GetValue("prod/llm")!))
        {
            aws.RootElement.GetProperty("OPENAI_API_KEY").GetString().Should().Be(value);
        }

        _vault.Read("apps/chat")!["OPENAI_API_KEY"].Should().Be(value);
        _cluster.GetSecretValue("chat", "llm-keys", "OPENAI_API_KEY").Should().Be(value);
        _cloudflare.GetValue("chat-gw_openai_default").Should().Be(value);
    }

    [Fact]
    public void AddTargets_InvalidOptions_FailAtStartWithEveryProblem()
    {
        var services = new ServiceCollection();
        services.AddIronCage()
            .AddAzureKeyVaultTarget("kv", o => o.SecretName = "bad_name")
            .AddAwsSecretsManagerTarget("aws", o => o.Key = "openai/prod")
            .AddHashiCorpVaultTarget("vault", o => o.Key = "openai/prod")
            .AddKubernetesSecretTarget("k8s", o => o.Namespace = "Bad")
            .AddCloudflareAiGatewayTarget("cf", o => o.GatewayId = "has_underscore");
        using var provider = services.BuildServiceProvider();

        foreach (var (type, name) in new[] { (typeof(IOptionsMonitor<Secrets.AzureKeyVault.AzureKeyVaultTargetOptions>), "kv"), (typeof(IOptionsMonitor<Secrets.AwsSecretsManager.AwsSecretsManagerTargetOptions>), "aws"), (typeof(IOptionsMonitor<Secrets.HashiCorpVault.HashiCorpVaultTargetOptions>), "vault"), (typeof(IOptionsMonitor<Secrets.Kubernetes.KubernetesSecretTargetOptions>), "k8s"), (typeof(IOptionsMonitor<Secrets.CloudflareAiGateway.CloudflareAiGatewayTargetOptions>), "cf") })
        {
            var monitor = provider.GetRequiredService(type);
            var act = () => type.GetMethod("Get")!.Invoke(monitor, [name]);
            act.Should().Throw<System.Reflection.TargetInvocationException>().WithInnerException<OptionsValidationException>().Which.Failures.Should().NotBeEmpty();
        }
    }

    private IEnumerable<(string Prefix, Func<int> Requests)> Emulators()
    {
        yield return ("azure-key-vault:", () => _keyVault.Requests.Count);
        yield return ("aws-secrets-manager:", () => _aws!.Requests.Count);
        yield return ("vault:", () => _vault.Requests.Count);
        yield return ("kubernetes:", () => _cluster.Requests.Count);
        yield return ("cloudflare-ai-gateway:", () => _cloudflare.Requests.Count);
    }

    /// <summary>Stops the host (cancels <paramref name="stop"/>) right after the first step write that <paramref name="when"/> matches is committed.</summary>
    private static IIronCageBuilder StopAfter(IIronCageBuilder builder, Func<RotationOperation, bool> when, CancellationTokenSource stop)
    {
        builder.Services.AddSingleton<IRotationStepStore>(sp => new Conformance.StoppingRotationStepStore(new SequentialRotationStepStore(sp.GetRequiredService<Storage.IKeyStore>(), sp.GetRequiredService<Auditing.IAuditLog>(), sp.GetRequiredService<IRotationStore>()), when, stop));
        return builder;
    }

    private IIronCageBuilder AddTargets(IIronCageBuilder builder) => builder
        .AddAzureKeyVaultTarget("kv", o =>
        {
            o.Key = "openai/prod";
            o.VaultUri = _keyVault.BaseAddress;
            o.SecretName = "openai-api-key";
            o.Credential = new StaticTokenCredential(_keyVault.AccessToken);
            o.ClientOptions = AzureKeyVaultTargetTests.ClientOptions(_keyVault);
        })
        .AddAwsSecretsManagerTarget("aws", o =>
        {
            o.Key = "openai/prod";
            o.Region = _aws!.Region;
            o.ServiceUrl = _aws.BaseAddress;
            o.Credentials = new BasicAWSCredentials(_aws.AccessKeyId, _aws.SecretAccessKey);
            o.SecretId = "prod/llm";
            o.Field = "OPENAI_API_KEY";
        })
        .AddHashiCorpVaultTarget("vault", o =>
        {
            o.Key = "openai/prod";
            o.Address = _vault.BaseAddress;
            o.RoleId = _vault.RoleId;
            o.SecretId = _vault.SecretId;
            o.Path = "apps/chat";
            o.Field = "OPENAI_API_KEY";
        })
        .AddKubernetesSecretTarget("k8s", ConfigureKubernetes)
        .AddCloudflareAiGatewayTarget("cf", o =>
        {
            o.Key = "openai/prod";
            o.AccountId = _cloudflare.AccountId;
            o.ApiToken = _cloudflare.ApiToken;
            o.GatewayId = "chat-gw";
            o.BaseAddress = _cloudflare.ApiBaseAddress;
        });

    private void ConfigureKubernetes(Secrets.Kubernetes.KubernetesSecretTargetOptions o)
    {
        o.Key = "openai/prod";
        o.Namespace = "chat";
        o.SecretName = "llm-keys";
        o.DataKey = "OPENAI_API_KEY";
        o.RestartDeployments.Add("chat-api");
        o.Configuration = new KubernetesClientConfiguration { Host = _cluster.BaseAddress.ToString(), AccessToken = _cluster.Token };
    }
}
