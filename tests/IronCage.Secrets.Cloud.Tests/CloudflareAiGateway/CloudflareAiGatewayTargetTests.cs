using IronCage.Secrets.CloudflareAiGateway;

namespace IronCage.Secrets.Cloud.Tests.CloudflareAiGateway;

public sealed class CloudflareAiGatewayTargetTests : DistributionTargetScenarios
{
    private const string SecretName = "chat-gw_openai_default";
    private static readonly HttpClient Http = new();
    private CloudflareSecretsStoreEmulator _cloudflare = null!;

    private protected override string ExpectedPermission => "Secrets Store Write";

    public override async Task InitializeAsync() => _cloudflare = await CloudflareSecretsStoreEmulator.StartAsync();

    public override async Task DisposeAsync()
    {
        await _cloudflare.DisposeAsync();
        Leaks.Dispose();
    }

    [Fact]
    public async Task DistributeAsync_FirstAndSecond_CreatesInScopeThenUpdatesInPlace()
    {
        var target = (CloudflareAiGatewayTarget)CreateTarget();
        using var first = SecretValue.FromString(NewSecret());
        var secondValue = NewSecret();
        using var second = SecretValue.FromString(secondValue);

        var created = await target.DistributeAsync(TestKeys.Distribution(first));
        var updated = await target.DistributeAsync(TestKeys.Distribution(second));

        target.SecretName.Should().Be(SecretName);
        updated.TargetVersion.Should().Be(created.TargetVersion, "the secret is updated in place");
        _cloudflare.GetValue(SecretName).Should().Be(secondValue);
        _cloudflare.GetScopes(SecretName).Should().Equal(CloudflareAiGatewayConstants.Scope);
        _cloudflare.Requests.Should().Contain(r => r.StartsWith($"PATCH /client/v4/accounts/{_cloudflare.AccountId}/secrets_store/stores/{_cloudflare.StoreId}/secrets/"));
    }

    [Fact]
    public async Task DistributeAsync_ExistingSecretInAnotherScope_AddsAiGatewayScopeAndKeepsTheOther()
    {
        _cloudflare.AddSecret(SecretName, "sk-old", ["workers"]);
        using var secret = SecretValue.FromString(NewSecret());

        await CreateTarget().DistributeAsync(TestKeys.Distribution(secret));

        _cloudflare.GetScopes(SecretName).Should().BeEquivalentTo(["workers", CloudflareAiGatewayConstants.Scope]);
    }

    private protected override IKeyDistributionTarget CreateTarget(bool wrongCredential = false)
        => new CloudflareAiGatewayTarget(
            new CloudflareAiGatewayTargetOptions
            {
                Key = "openai/prod",
                AccountId = _cloudflare.AccountId,
                ApiToken = wrongCredential ? "wrong-token" : _cloudflare.ApiToken,
                GatewayId = "chat-gw",
                BaseAddress = _cloudflare.ApiBaseAddress,
            },
            Http,
            Leaks.Logger<CloudflareAiGatewayTarget>());

    private protected override Task<string?> ReadStoreAsync() => Task.FromResult(_cloudflare.GetValue(SecretName));

    private protected override Task<int> WriteCountAsync() => Task.FromResult(_cloudflare.Writes);

    private protected override void DenyWrites() => _cloudflare.ReadOnly = true;
}
