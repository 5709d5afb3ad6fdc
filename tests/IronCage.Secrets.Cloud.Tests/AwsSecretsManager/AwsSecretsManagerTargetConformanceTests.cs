using System.Text.Json;
using Amazon.Runtime;
using IronCage.Conformance;
using IronCage.Secrets.AwsSecretsManager;

namespace IronCage.Secrets.Cloud.Tests.AwsSecretsManager;

/// <summary>The shared distribution-target contract, for <see cref="AwsSecretsManagerTarget"/> against the Secrets Manager emulator.</summary>
public sealed class AwsSecretsManagerTargetConformanceTests : KeyDistributionTargetConformanceTests
{
    private const string SecretName = "conformance/llm";
    private static readonly HttpClient Http = new();
    private SecretsManagerEmulator _aws = null!;

    public override async Task InitializeAsync()
    {
        _aws = await SecretsManagerEmulator.StartAsync();

        // The target never creates secrets: the fresh destination is an empty JSON map.
        _aws.CreateSecret(SecretName, "{}");
    }

    public override async Task DisposeAsync() => await _aws.DisposeAsync();

    protected override Task<IKeyDistributionTarget> CreateTargetAsync(KeyReference key) => Task.FromResult<IKeyDistributionTarget>(new AwsSecretsManagerTarget(
        new AwsSecretsManagerTargetOptions
        {
            Key = key.ToString(),
            Region = _aws.Region,
            ServiceUrl = _aws.BaseAddress,
            Credentials = new BasicAWSCredentials(_aws.AccessKeyId, _aws.SecretAccessKey),
            SecretId = SecretName,
            Field = "OPENAI_API_KEY",
        },
        Http));

    protected override Task<string?> ReadHeldValueAsync()
    {
        using var document = JsonDocument.Parse(_aws.GetValue(SecretName)!);
        return Task.FromResult(document.RootElement.TryGetProperty("OPENAI_API_KEY", out var value) ? value.GetString() : null);
    }
}
