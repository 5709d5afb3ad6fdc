using IronCage.Secrets.HashiCorpVault;

namespace IronCage.Secrets.Cloud.Tests.HashiCorpVault;

public sealed class HashiCorpVaultTargetTests : DistributionTargetScenarios
{
    private const string SecretPath = "apps/chat";
    private static readonly HttpClient Http = new();
    private VaultEmulator _vault = null!;

    private protected override string ExpectedPermission => "\"create\", \"update\"";

    public override async Task InitializeAsync()
    {
        _vault = await VaultEmulator.StartAsync();
        _vault.Write(SecretPath, new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-old", ["DATABASE_URL"] = "postgres://app@db/app" });
    }

    public override async Task DisposeAsync()
    {
        await _vault.DisposeAsync();
        Leaks.Dispose();
    }

    [Fact]
    public async Task DistributeAsync_ExistingSecret_WritesTheNextVersionAndKeepsOtherFields()
    {
        using var secret = SecretValue.FromString(NewSecret());

        var receipt = await CreateTarget().DistributeAsync(TestKeys.Distribution(secret));

        receipt.TargetVersion.Should().Be("2");
        _vault.Read(SecretPath)!["DATABASE_URL"].Should().Be("postgres://app@db/app");
        _vault.Requests.Should().Contain($"POST /v1/secret/data/{SecretPath}");
    }

    [Fact]
    public async Task DistributeAsync_AppRole_LogsInOnceAndReusesTheToken()
    {
        var target = new HashiCorpVaultTarget(new HashiCorpVaultTargetOptions { Address = _vault.BaseAddress, RoleId = _vault.RoleId, SecretId = _vault.SecretId, Key = "openai/prod", Path = SecretPath, Field = "OPENAI_API_KEY" }, Http);
        using var first = SecretValue.FromString(NewSecret());
        using var second = SecretValue.FromString(NewSecret());

        await target.DistributeAsync(TestKeys.Distribution(first));
        await target.DistributeAsync(TestKeys.Distribution(second));

        _vault.Logins.Should().Be(1);
        _vault.CurrentVersion(SecretPath).Should().Be(3);
    }

    [Fact]
    public async Task DistributeAsync_WrongAppRoleSecretId_ThrowsUnauthenticatedSayingHowToIssueOne()
    {
        var target = new HashiCorpVaultTarget(new HashiCorpVaultTargetOptions { Address = _vault.BaseAddress, RoleId = _vault.RoleId, SecretId = "wrong", Key = "openai/prod", Path = SecretPath, Field = "OPENAI_API_KEY" }, Http);
        using var secret = SecretValue.FromString(NewSecret());

        var act = () => target.DistributeAsync(TestKeys.Distribution(secret));

        var thrown = (await act.Should().ThrowAsync<SecretStoreException>()).Which;
        thrown.Kind.Should().Be(SecretStoreErrorKind.Unauthenticated);
        thrown.Message.Should().Contain("secret-id").And.NotContain(_vault.SecretId);
    }

    [Fact]
    public void Constructor_TokenAndAppRoleBoth_ThrowsWithHowToFix()
    {
        var act = () => new HashiCorpVaultTarget(new HashiCorpVaultTargetOptions { Address = new Uri("http://vault.example.com:8200/"), Token = "t", RoleId = "r", SecretId = "s", Key = "openai/prod", Path = "/secret/data/x" });

        act.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().Which.Failures.Should().HaveCount(4);
    }

    private protected override IKeyDistributionTarget CreateTarget(bool wrongCredential = false)
        => new HashiCorpVaultTarget(
            new HashiCorpVaultTargetOptions { Address = _vault.BaseAddress, Token = wrongCredential ? "hvs.wrong" : _vault.RootToken, Key = "openai/prod", Path = SecretPath, Field = "OPENAI_API_KEY" },
            Http,
            Leaks.Logger<HashiCorpVaultTarget>());

    private protected override Task<string?> ReadStoreAsync() => Task.FromResult(_vault.Read(SecretPath)?["OPENAI_API_KEY"]);

    private protected override Task<int> WriteCountAsync() => Task.FromResult(_vault.CurrentVersion(SecretPath));

    private protected override void DenyWrites() => _vault.ReadOnly = true;
}
