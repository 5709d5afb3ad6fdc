using IronCage.Conformance;
using IronCage.Secrets.CloudflareAiGateway;

namespace IronCage.Secrets.Cloud.Tests.CloudflareAiGateway;

/// <summary>The shared distribution-target contract, for <see cref="CloudflareAiGatewayTarget"/> against the Secrets Store emulator (values are write-only there; the emulator shows them).</summary>
public sealed class CloudflareAiGatewayTargetConformanceTests : KeyDistributionTargetConformanceTests
{
    private const string SecretName = "chat-gw_openai_default";
    private static readonly HttpClient Http = new();
    private CloudflareSecretsStoreEmulator _cloudflare = null!;

    public override async Task InitializeAsync() => _cloudflare = await CloudflareSecretsStoreEmulator.StartAsync();

    public override async Task DisposeAsync() => await _cloudflare.DisposeAsync();

    protected override Task<IKeyDistributionTarget> CreateTargetAsync(KeyReference key) => Task.FromResult<IKeyDistributionTarget>(new CloudflareAiGatewayTarget(
        new CloudflareAiGatewayTargetOptions { Key = key.ToString(), AccountId = _cloudflare.AccountId, ApiToken = _cloudflare.ApiToken, GatewayId = "chat-gw", BaseAddress = _cloudflare.ApiBaseAddress },
        Http));

    protected override Task<string?> ReadHeldValueAsync() => Task.FromResult(_cloudflare.GetValue(SecretName));
}
