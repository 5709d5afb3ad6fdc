using Amazon.Runtime;
using IronCage.Conformance;
using IronCage.Secrets.AwsSecretsManager;
using IronCage.Secrets.AzureKeyVault;
using IronCage.Secrets.Cloud.Tests.AzureKeyVault;
using IronCage.Secrets.HashiCorpVault;
using IronCage.Secrets.Kubernetes;

namespace IronCage.Secrets.Cloud.Tests;

/// <summary>The shared key-source contract for the cloud sources, each against its emulator.</summary>
public static class SourceConformanceTests
{
    private static readonly HttpClient Http = new();

    /// <summary>Key Vault: one secret per entry, named with '-' (Key Vault names cannot hold '_') behind a selection prefix the source drops.</summary>
    public sealed class AzureKeyVault : KeySourceConformanceTests
    {
        private KeyVaultEmulator _vault = null!;

        public override async Task InitializeAsync() => _vault = await KeyVaultEmulator.StartAsync();

        public override async Task DisposeAsync() => await _vault.DisposeAsync();

        protected override Task<IKeySource> CreateSourceAsync(IReadOnlyDictionary<string, string> entries)
        {
            foreach (var (name, value) in entries)
            {
                _vault.SetSecret("llm-" + name.Replace('_', '-'), value);
            }

            _vault.SetSecret("db-PASSWORD", "not-selected");
            return Task.FromResult<IKeySource>(new AzureKeyVaultSource(new AzureKeyVaultSourceOptions { VaultUri = _vault.BaseAddress, Credential = new StaticTokenCredential(_vault.AccessToken), NamePrefix = "llm-", ClientOptions = AzureKeyVaultTargetTests.ClientOptions(_vault) }));
        }
    }

    /// <summary>Secrets Manager: one plain-string secret per entry under a name prefix, listed with ListSecrets.</summary>
    public sealed class AwsSecretsManager : KeySourceConformanceTests
    {
        private SecretsManagerEmulator _aws = null!;

        public override async Task InitializeAsync() => _aws = await SecretsManagerEmulator.StartAsync();

        public override async Task DisposeAsync() => await _aws.DisposeAsync();

        protected override Task<IKeySource> CreateSourceAsync(IReadOnlyDictionary<string, string> entries)
        {
            foreach (var (name, value) in entries)
            {
                _aws.CreateSecret("conformance/" + name.Replace('_', '-').ToLowerInvariant(), value);
            }

            _aws.CreateSecret("other/db-password", "not-selected");
            return Task.FromResult<IKeySource>(new AwsSecretsManagerSource(new AwsSecretsManagerSourceOptions { Region = _aws.Region, ServiceUrl = _aws.BaseAddress, Credentials = new BasicAWSCredentials(_aws.AccessKeyId, _aws.SecretAccessKey), NamePrefix = "conformance/" }, Http));
        }
    }

    /// <summary>Vault KV v2: every entry a field of one secret in the listed folder.</summary>
    public sealed class HashiCorpVault : KeySourceConformanceTests
    {
        private VaultEmulator _vault = null!;

        public override async Task InitializeAsync() => _vault = await VaultEmulator.StartAsync();

        public override async Task DisposeAsync() => await _vault.DisposeAsync();

        protected override Task<IKeySource> CreateSourceAsync(IReadOnlyDictionary<string, string> entries)
        {
            if (entries.Count > 0)
            {
                _vault.Write("llm/keys", entries);
            }

            _vault.Write("db/app", new Dictionary<string, string> { ["PASSWORD"] = "not-selected" });
            return Task.FromResult<IKeySource>(new HashiCorpVaultSource(new HashiCorpVaultSourceOptions { Address = _vault.BaseAddress, Token = _vault.RootToken, Folder = "llm" }, Http));
        }
    }

    /// <summary>Kubernetes: every entry a key of one Secret's data; another Secret in the namespace is not read.</summary>
    public sealed class Kubernetes : KeySourceConformanceTests
    {
        private KubernetesEmulator _cluster = null!;
        private readonly List<KubernetesSecretSource> _sources = [];

        public override async Task InitializeAsync() => _cluster = await KubernetesEmulator.StartAsync();

        public override async Task DisposeAsync()
        {
            _sources.ForEach(s => s.Dispose());
            await _cluster.DisposeAsync();
        }

        protected override Task<IKeySource> CreateSourceAsync(IReadOnlyDictionary<string, string> entries)
        {
            _cluster.AddSecret("prod", "llm-keys", entries);
            _cluster.AddSecret("prod", "db", new Dictionary<string, string> { ["PASSWORD"] = "not-selected" });
            var options = new KubernetesSecretSourceOptions { Namespace = "prod", Configuration = new() { Host = _cluster.BaseAddress.ToString(), AccessToken = _cluster.Token } };
            options.SecretNames.Add("llm-keys");
            var source = new KubernetesSecretSource(options);
            _sources.Add(source);
            return Task.FromResult<IKeySource>(source);
        }
    }
}
