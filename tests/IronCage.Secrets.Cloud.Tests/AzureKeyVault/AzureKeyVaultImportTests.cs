using IronCage.Secrets.AzureKeyVault;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Secrets.Cloud.Tests.AzureKeyVault;

/// <summary>An import from the Key Vault emulator through <see cref="IKeyImporter"/>: the prefixed secret name still names the provider.</summary>
public sealed class AzureKeyVaultImportTests
{
    [Fact]
    public async Task ImportAsync_PrefixedSecretOfAProviderWithoutKeyPrefix_DetectsTheProviderByNameAndImports()
    {
        await using var vault = await KeyVaultEmulator.StartAsync();
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.Mistral), extend: b => b.AddKeyImport());
        var text = FakeKeys.GenerateText(ProviderId.Mistral);
        using (var existing = SecretValue.FromString(text))
        {
            harness.Provider.AddExistingKey(existing);
        }

        vault.SetSecret("llm-MISTRAL-API-KEY", text);
        vault.SetSecret("other-MISTRAL-API-KEY", FakeKeys.GenerateText(ProviderId.Mistral));
        var source = new AzureKeyVaultSource(new AzureKeyVaultSourceOptions { VaultUri = vault.BaseAddress, Credential = new StaticTokenCredential(vault.AccessToken), NamePrefix = "llm-", ClientOptions = AzureKeyVaultTargetTests.ClientOptions(vault) });

        var report = await harness.Services.GetRequiredService<IKeyImporter>().ImportAsync(source);

        var entry = report.Entries.Should().ContainSingle().Which;
        entry.Status.Should().Be(KeyImportStatus.Imported, entry.Reason);
        entry.Provider.Should().Be(ProviderId.Mistral);
        entry.Origin.Should().Be("azure-key-vault:127.0.0.1/llm-MISTRAL-API-KEY");
        var key = await harness.Keys.GetAsync(entry.Reference!.Value);
        key.Should().NotBeNull();
        report.ToString().Should().NotContain(text);
    }
}
