using IronCage.Providers;
using IronCage.Secrets.Cloud.Tests.AzureKeyVault;
using IronCage.Testing.Emulator;
using k8s;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Secrets.Cloud.Tests;

/// <summary>
/// The whole path a deployment takes, against emulators: keys imported from a <c>.env</c> file, a <c>_FILE</c>
/// variable and a key-per-file directory (verified at the provider emulator), one rotated on schedule, the new key
/// written to every target (a file, a <c>.env</c>, Key Vault, Vault, a Kubernetes Secret whose Deployment restarts,
/// Cloudflare AI Gateway) before it is promoted, and the old key deleted at the provider only after the Deployment
/// finished rolling out — until then the provider still accepts it; once it has, well before the grace period (the
/// ceiling) ends.
/// </summary>
public sealed class ImportRotateDistributeEndToEndTests : IAsyncLifetime, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ironcage-e2e-").FullName;
    private ProviderEmulator _providers = null!;
    private KeyVaultEmulator _keyVault = null!;
    private VaultEmulator _vault = null!;
    private KubernetesEmulator _cluster = null!;
    private CloudflareSecretsStoreEmulator _cloudflare = null!;

    public async Task InitializeAsync()
    {
        _providers = await ProviderEmulator.StartAsync();
        _keyVault = await KeyVaultEmulator.StartAsync();
        _vault = await VaultEmulator.StartAsync();
        _cluster = await KubernetesEmulator.StartAsync();
        _cloudflare = await CloudflareSecretsStoreEmulator.StartAsync();
        _cluster.AddSecret("chat", "llm-keys", new Dictionary<string, string> { ["OPENROUTER_API_KEY"] = "placeholder" });
        _cluster.AddDeployment("chat", "chat-api");
        _cluster.HoldRollouts = true;
    }

    public async Task DisposeAsync()
    {
        await _providers.DisposeAsync();
        await _keyVault.DisposeAsync();
        await _vault.DisposeAsync();
        await _cluster.DisposeAsync();
        await _cloudflare.DisposeAsync();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ImportRotateDistribute_TheOldKeyDiesAtTheProviderOnlyAfterEveryConsumerMoved()
    {
        var reference = KeyReference.Parse("openrouter/prod");
        var dotEnv = Path.Combine(_dir, "app.env");
        var secretFile = Path.Combine(_dir, "openrouter.key");
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.Groq), extend: b => b
            .AddOpenRouter("openrouter", o =>
            {
                o.BaseAddress = _providers.OpenRouter.BaseAddress;
                o.ManagementKey = _providers.OpenRouter.ManagementKey;
                o.RetryDelay = TimeSpan.FromMilliseconds(1);
            })
            .AddKeyImport()
            .WaitForKeyAdoption()
            .AddFileKeyTarget(o => (o.Path, o.Key) = (secretFile, reference))
            .AddDotEnvKeyTarget(o => (o.Path, o.Key, o.VariableName) = (dotEnv, reference, "OPENROUTER_API_KEY"))
            .AddAzureKeyVaultTarget("kv", o =>
            {
                o.Key = reference.ToString();
                o.VaultUri = _keyVault.BaseAddress;
                o.SecretName = "openrouter-api-key";
                o.Credential = new StaticTokenCredential(_keyVault.AccessToken);
                o.ClientOptions = AzureKeyVaultTargetTests.ClientOptions(_keyVault);
            })
            .AddHashiCorpVaultTarget("vault", o =>
            {
                o.Key = reference.ToString();
                o.Address = _vault.BaseAddress;
                o.Token = _vault.RootToken;
                o.Path = "apps/chat";
                o.Field = "OPENROUTER_API_KEY";
            })
            .AddKubernetesSecretTarget("k8s", o =>
            {
                o.Key = reference.ToString();
                o.Namespace = "chat";
                o.SecretName = "llm-keys";
                o.DataKey = "OPENROUTER_API_KEY";
                o.RestartDeployments.Add("chat-api");
                o.Configuration = new KubernetesClientConfiguration { Host = _cluster.BaseAddress.ToString(), AccessToken = _cluster.Token };
            })
            .AddCloudflareAiGatewayTarget("cf", o =>
            {
                o.Key = reference.ToString();
                o.AccountId = _cloudflare.AccountId;
                o.ApiToken = _cloudflare.ApiToken;
                o.GatewayId = "chat-gw";
                o.BaseAddress = _cloudflare.ApiBaseAddress;
            }));

        // Three keys where deployments keep them: a .env file, a Docker _FILE variable, a key-per-file directory.
        var prod = _providers.OpenRouter.AddKey("prod");
        var batch = _providers.OpenRouter.AddKey("batch");
        var nightly = _providers.OpenRouter.AddKey("nightly");
        await File.WriteAllTextAsync(dotEnv, $"# chat\nLOG_LEVEL=info\nOPENROUTER_API_KEY={prod.Secret}\n");
        var mounted = Path.Combine(_dir, "mounted");
        await File.WriteAllTextAsync(mounted, batch.Secret + "\n");
        var perFile = Directory.CreateDirectory(Path.Combine(_dir, "secrets")).FullName;
        await File.WriteAllTextAsync(Path.Combine(perFile, "openrouter-nightly"), nightly.Secret);
        var catalog = harness.Services.GetRequiredService<IProviderCatalog>();
        var importer = harness.Services.GetRequiredService<IKeyImporter>();
        var reports = new[]
        {
            await importer.ImportAsync(new DotEnvKeySource(dotEnv, catalog), new KeyImportOptions { NameKey = (_, _) => "prod" }),
            await importer.ImportAsync(new EnvironmentFileKeySource(catalog, new DictionaryEnvironmentVariables(new Dictionary<string, string> { ["OPENROUTER_API_KEY_FILE"] = mounted })), new KeyImportOptions { NameKey = (_, _) => "batch" }),
            await importer.ImportAsync(new KeyPerFileKeySource(perFile, catalog)),
        };
        reports.SelectMany(r => r.Entries).Should().OnlyContain(e => e.Status == KeyImportStatus.Imported, "each key was verified at the provider and stored sealed");
        reports.SelectMany(r => r.Entries).Select(e => e.Reference!.Value.ToString()).Should().BeEquivalentTo(["openrouter/prod", "openrouter/batch", "openrouter/openrouter-nightly"]);

        var key = await harness.Keys.GetAsync(reference);
        key = await harness.Keys.UpdateAsync(key with { Policy = new RotationPolicy { GracePeriod = NodaTime.Duration.FromHours(24) } });
        var operation = await harness.Rotator.RotateAsync(reference, RotationReason.Scheduled);

        operation.LastError.Should().BeNull();
        operation.Step.Should().Be(RotationStep.GracePeriod, "chat-api is still rolling out: its old pods hold the old key");
        var rotated = await harness.Keys.GetAsync(reference);
        using var current = await harness.OpenAsync(rotated.CurrentVersion!, reference);
        var value = current.Reveal();
        value.Should().NotBe(prod.Secret);
        (await File.ReadAllTextAsync(secretFile)).Should().Be(value);
        (await File.ReadAllTextAsync(dotEnv)).Should().Be($"# chat\nLOG_LEVEL=info\nOPENROUTER_API_KEY={value}\n");
        _keyVault.GetValue("openrouter-api-key").Should().Be(value);
        _vault.Read("apps/chat")!["OPENROUTER_API_KEY"].Should().Be(value);
        _cluster.GetSecretValue("chat", "llm-keys", "OPENROUTER_API_KEY").Should().Be(value);
        _cloudflare.GetValue("chat-gw_openrouter_default").Should().Be(value);
        _providers.OpenRouter.IsValid(value).Should().BeTrue();
        _providers.OpenRouter.IsValid(prod.Secret).Should().BeTrue("the Deployment's old pods still use it");

        harness.Clock.AdvanceMinutes(5);
        operation = await harness.Rotator.ResumeAsync(operation.OperationId);
        operation.Step.Should().Be(RotationStep.GracePeriod, "the rollout is still held");
        _providers.OpenRouter.IsValid(prod.Secret).Should().BeTrue();

        _cluster.CompleteRollout("chat", "chat-api");
        harness.Clock.AdvanceSeconds(30);
        operation = await harness.Rotator.ResumeAsync(operation.OperationId);

        operation.Step.Should().Be(RotationStep.Completed, operation.LastError);
        _providers.OpenRouter.IsValid(prod.Secret).Should().BeFalse("every consumer moved, so the old key was deleted at the provider, 23 hours before the grace period (the ceiling) would have ended");
        _providers.OpenRouter.IsValid(value).Should().BeTrue();
        _providers.OpenRouter.IsValid(batch.Secret).Should().BeTrue("only the rotated key changed");
        harness.Shared.Logs.Lines.Should().NotContain(l => l.Contains(value, StringComparison.Ordinal) || l.Contains(prod.Secret, StringComparison.Ordinal) || l.Contains(batch.Secret, StringComparison.Ordinal));
    }
}
