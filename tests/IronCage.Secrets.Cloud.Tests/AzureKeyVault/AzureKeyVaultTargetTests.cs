using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using IronCage.Secrets.AzureKeyVault;

namespace IronCage.Secrets.Cloud.Tests.AzureKeyVault;

public sealed class AzureKeyVaultTargetTests : DistributionTargetScenarios
{
    private const string SecretName = "openai-api-key";
    private KeyVaultEmulator _vault = null!;

    private protected override string ExpectedPermission => "Key Vault Secrets Officer";

    public override async Task InitializeAsync() => _vault = await KeyVaultEmulator.StartAsync();

    public override async Task DisposeAsync()
    {
        await _vault.DisposeAsync();
        Leaks.Dispose();
    }

    internal static SecretClientOptions ClientOptions(KeyVaultEmulator vault) => new()
    {
        Transport = new HttpClientTransport(vault.CreateHttpMessageHandler()),
        DisableChallengeResourceVerification = true,
        Retry = { MaxRetries = 0 },
    };

    [Fact]
    public async Task DistributeAsync_NewVersion_TagsTheVersionAndAnswersTheChallenge()
    {
        var credential = new StaticTokenCredential(_vault.AccessToken);
        var target = new AzureKeyVaultTarget(new AzureKeyVaultTargetOptions { Key = "openai/prod", VaultUri = _vault.BaseAddress, SecretName = SecretName, Credential = credential, ClientOptions = ClientOptions(_vault) });
        using var secret = SecretValue.FromString(NewSecret());
        var version = TestKeys.Version();

        var receipt = await target.DistributeAsync(TestKeys.Distribution(secret, version, "op_7"));

        var tags = _vault.GetTags(SecretName)!;
        tags[AzureKeyVaultConstants.KeyTag].Should().Be("openai/prod");
        tags[AzureKeyVaultConstants.VersionTag].Should().Be(version.VersionId);
        tags[AzureKeyVaultConstants.OperationTag].Should().Be("op_7");
        receipt.TargetVersion.Should().NotBeNullOrEmpty();
        credential.Requests.Should().Contain(r => r.Scopes.Contains("https://vault.azure.net/.default") && r.TenantId == _vault.TenantId);
    }

    [Fact]
    public void Constructor_HttpVaultUriAndNoCredential_ThrowsWithHowToFix()
    {
        var act = () => new AzureKeyVaultTarget(new AzureKeyVaultTargetOptions { Key = "openai", VaultUri = new Uri("http://contoso.vault.azure.net/"), SecretName = "bad_name" });

        act.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>()
            .Which.Failures.Should().HaveCount(4).And.Contain(f => f.Contains("DefaultAzureCredential"));
    }

    private protected override IKeyDistributionTarget CreateTarget(bool wrongCredential = false)
        => new AzureKeyVaultTarget(
            new AzureKeyVaultTargetOptions
            {
                Key = "openai/prod",
                VaultUri = _vault.BaseAddress,
                SecretName = SecretName,
                Credential = new StaticTokenCredential(wrongCredential ? "not-the-token" : _vault.AccessToken),
                ClientOptions = ClientOptions(_vault),
            },
            Leaks.Logger<AzureKeyVaultTarget>());

    private protected override Task<string?> ReadStoreAsync() => Task.FromResult(_vault.GetValue(SecretName));

    private protected override Task<int> WriteCountAsync() => Task.FromResult(_vault.VersionCount(SecretName));

    private protected override void DenyWrites() => _vault.ReadOnly = true;
}
