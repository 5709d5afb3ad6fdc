using IronCage.Conformance;
using IronCage.Secrets.AzureKeyVault;

namespace IronCage.Secrets.Cloud.Tests.AzureKeyVault;

/// <summary>The shared distribution-target contract, for <see cref="AzureKeyVaultTarget"/> against the Key Vault emulator.</summary>
public sealed class AzureKeyVaultTargetConformanceTests : KeyDistributionTargetConformanceTests
{
    private const string SecretName = "conformance-openai-api-key";
    private KeyVaultEmulator _vault = null!;

    public override async Task InitializeAsync() => _vault = await KeyVaultEmulator.StartAsync();

    public override async Task DisposeAsync() => await _vault.DisposeAsync();

    protected override Task<IKeyDistributionTarget> CreateTargetAsync(KeyReference key) => Task.FromResult<IKeyDistributionTarget>(new AzureKeyVaultTarget(
        new AzureKeyVaultTargetOptions { Key = key.ToString(), VaultUri = _vault.BaseAddress, SecretName = SecretName, Credential = new StaticTokenCredential(_vault.AccessToken), ClientOptions = AzureKeyVaultTargetTests.ClientOptions(_vault) }));

    protected override Task<string?> ReadHeldValueAsync() => Task.FromResult(_vault.GetValue(SecretName));
}
