using IronCage.Conformance;
using IronCage.Secrets.HashiCorpVault;

namespace IronCage.Secrets.Cloud.Tests.HashiCorpVault;

/// <summary>The shared distribution-target contract, for <see cref="HashiCorpVaultTarget"/> against the Vault emulator (the path does not exist at first).</summary>
public sealed class HashiCorpVaultTargetConformanceTests : KeyDistributionTargetConformanceTests
{
    private const string SecretPath = "conformance/chat";
    private static readonly HttpClient Http = new();
    private VaultEmulator _vault = null!;

    public override async Task InitializeAsync() => _vault = await VaultEmulator.StartAsync();

    public override async Task DisposeAsync() => await _vault.DisposeAsync();

    protected override Task<IKeyDistributionTarget> CreateTargetAsync(KeyReference key) => Task.FromResult<IKeyDistributionTarget>(new HashiCorpVaultTarget(
        new HashiCorpVaultTargetOptions { Address = _vault.BaseAddress, Token = _vault.RootToken, Key = key.ToString(), Path = SecretPath, Field = "OPENAI_API_KEY" },
        Http));

    protected override Task<string?> ReadHeldValueAsync()
        => Task.FromResult(_vault.Read(SecretPath) is { } data && data.TryGetValue("OPENAI_API_KEY", out var value) ? value : null);
}
