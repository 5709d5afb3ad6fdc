using Amazon.Runtime;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Rotation;
using IronCage.Testing;
using IronCage.Testing.Emulator;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Benchmarks;

/// <summary>
/// The distribution step: one rotation (create, store, verify, distribute, promote; to the grace period) of a key with
/// no targets, and of a key with seven — a file, a <c>.env</c> entry, and Azure Key Vault, AWS Secrets Manager,
/// HashiCorp Vault KV v2, a Kubernetes Secret (with a Deployment restarted) and Cloudflare AI Gateway on their loopback
/// emulators (real Kestrel, real HTTP, SigV4/bearer auth checked, so the host runs on the real clock). The difference of the two means is the time from a
/// verified new key to the last target confirming, which is also the time from promotion's start to the last consumer
/// store holding the new key (targets are written before promotion). Each iteration is a new host and a new key.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 20, invocationCount: 1)]
public class DistributionBenchmarks : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ironcage-distribution-bench-").FullName;
    private KeyVaultEmulator _keyVault = null!;
    private SecretsManagerEmulator _secretsManager = null!;
    private VaultEmulator _vault = null!;
    private KubernetesEmulator _cluster = null!;
    private CloudflareSecretsStoreEmulator _cloudflare = null!;
    private ServiceProvider? _services;
    private KeyReference _key;
    private int _round;

    [GlobalSetup]
    public void Setup()
    {
        _keyVault = KeyVaultEmulator.StartAsync().GetAwaiter().GetResult();
        _secretsManager = SecretsManagerEmulator.StartAsync().GetAwaiter().GetResult();
        _vault = VaultEmulator.StartAsync().GetAwaiter().GetResult();
        _cluster = KubernetesEmulator.StartAsync().GetAwaiter().GetResult();
        _cloudflare = CloudflareSecretsStoreEmulator.StartAsync().GetAwaiter().GetResult();
        _secretsManager.CreateSecret("prod/llm-keys", """{"OPENAI_API_KEY":"placeholder"}""");
        _cluster.AddSecret("chat", "llm-keys", new Dictionary<string, string> { ["OPENAI_API_KEY"] = "placeholder" });
        _cluster.AddDeployment("chat", "chat-api");
    }

    [IterationSetup(Target = nameof(RotateWithoutTargets))]
    public void NewHostWithoutTargets() => NewHost(targets: false);

    [IterationSetup(Target = nameof(RotateWithSevenTargets))]
    public void NewHostWithSevenTargets() => NewHost(targets: true);

    [Benchmark(Baseline = true)]
    public Task<RotationStep> RotateWithoutTargets() => RotateAsync(expectedTargets: 0);

    [Benchmark]
    public Task<RotationStep> RotateWithSevenTargets() => RotateAsync(expectedTargets: 7);

    [GlobalCleanup]
    public void Dispose()
    {
        _services?.Dispose();
        _keyVault.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _secretsManager.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _vault.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _cloudflare.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    private async Task<RotationStep> RotateAsync(int expectedTargets)
    {
        var operation = await _services!.GetRequiredService<IKeyRotator>().RotateAsync(_key, RotationReason.Scheduled);
        if (operation.Step != RotationStep.GracePeriod || operation.DistributedTo.Count != expectedTargets)
        {
            throw new InvalidOperationException($"{_key} ended at {operation.Step} with {operation.DistributedTo.Count} targets: {operation.LastError}");
        }

        return operation.Step;
    }

    private void NewHost(bool targets)
    {
        _services?.Dispose();
        _key = new KeyReference(ProviderId.OpenAI, "chat-" + _round++);
        var key = _key.ToString();
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        var services = new ServiceCollection();
        services.AddLogging();
        var builder = services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).AddProviderAdapter(provider).AddRotation();
        if (targets)
        {
            builder
                .AddFileKeyTarget(o => (o.Path, o.Key) = (Path.Combine(_directory, _key.Name + ".key"), _key))
                .AddDotEnvKeyTarget(o => (o.Path, o.Key, o.VariableName) = (Path.Combine(_directory, _key.Name + ".env"), _key, "OPENAI_API_KEY"))
                .AddAzureKeyVaultTarget("kv", o =>
                {
                    o.Key = key;
                    o.VaultUri = _keyVault.BaseAddress;
                    o.SecretName = _key.Name;
                    o.Credential = new FixedToken(_keyVault.AccessToken);
                    o.ClientOptions = new SecretClientOptions { Transport = new HttpClientTransport(_keyVault.CreateHttpMessageHandler()), DisableChallengeResourceVerification = true, Retry = { MaxRetries = 0 } };
                })
                .AddAwsSecretsManagerTarget("sm", o =>
                {
                    o.Key = key;
                    o.Region = _secretsManager.Region;
                    o.ServiceUrl = _secretsManager.BaseAddress;
                    o.Credentials = new BasicAWSCredentials(_secretsManager.AccessKeyId, _secretsManager.SecretAccessKey);
                    o.SecretId = "prod/llm-keys";
                    o.Field = "OPENAI_API_KEY";
                })
                .AddHashiCorpVaultTarget("vault", o =>
                {
                    o.Key = key;
                    o.Address = _vault.BaseAddress;
                    o.Token = _vault.RootToken;
                    o.Path = "apps/" + _key.Name;
                    o.Field = "OPENAI_API_KEY";
                })
                .AddKubernetesSecretTarget("k8s", o =>
                {
                    o.Key = key;
                    o.Namespace = "chat";
                    o.SecretName = "llm-keys";
                    o.DataKey = "OPENAI_API_KEY";
                    o.RestartDeployments.Add("chat-api");
                    o.Configuration = new KubernetesClientConfiguration { Host = _cluster.BaseAddress.ToString(), AccessToken = _cluster.Token };
                })
                .AddCloudflareAiGatewayTarget("cf", o =>
                {
                    o.Key = key;
                    o.AccountId = _cloudflare.AccountId;
                    o.ApiToken = _cloudflare.ApiToken;
                    o.GatewayId = "gw-" + _key.Name;
                    o.BaseAddress = _cloudflare.ApiBaseAddress;
                });
        }

        _services = services.BuildServiceProvider();
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);
        var registration = new KeyRegistration { Reference = _key, ProviderKeyId = provider.AddExistingKey(secret), Verify = false, Policy = new RotationPolicy { GracePeriod = Duration.FromHours(24) } };
        _services.GetRequiredService<IKeyRotator>().RegisterAsync(registration, secret).GetAwaiter().GetResult();
    }

    private sealed class FixedToken(string token) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
            => new(token, DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
            => ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
