using IronCage.Providers.AwsBedrock;
using IronCage.Rotation;
using IronCage.Testing.Emulator;

namespace IronCage.Providers.AwsBedrock.Tests;

/// <summary>End to end through the real engine against the promoted <see cref="AwsIamEmulator"/> (Kestrel, SigV4 checked).</summary>
public sealed class AwsIamEmulatorRotationTests
{
    [Fact]
    public async Task Rotate_AutomaticTier_PromotesANewKey_AndAfterGraceBedrockRefusesTheOldOne()
    {
        var time = new HostClockTimeProvider();
        await using var iam = await AwsIamEmulator.StartAsync(time);
        var old = iam.Seed(age: TimeSpan.FromDays(30));
        using var handler = iam.CreateHttpMessageHandler();
        using var host = new CloudProviderTestHost(
            b => b.AddAwsBedrock("aws", o =>
            {
                o.AccessKeyId = iam.AccessKeyId;
                o.SecretAccessKey = iam.SecretAccessKey;
                o.RetryDelay = TimeSpan.FromMilliseconds(1);
            }),
            AwsBedrockConstants.HttpClientName,
            handler);
        time.Clock = host.Clock;
        var context = new ProviderKeyContext { Key = new KeyReference(ProviderId.AwsBedrock, "prod"), Scope = new Dictionary<string, string> { [AwsBedrockConstants.UserNameScopeKey] = iam.UserName } };
        using (var initial = old.ToSecretValue())
        {
            await host.Rotator.RegisterAsync(new KeyRegistration { Reference = context.Key, ProviderKeyId = old.Id, Scope = context.Scope, Policy = RotationPolicy.Default }, initial);
        }

        var operation = await host.Rotator.RotateAsync(context.Key, RotationReason.Manual);

        operation.Tier.Should().Be(RotationTier.Automatic);
        operation.Step.Should().Be(RotationStep.GracePeriod);
        var created = iam.Credentials.Single(c => c.Id == operation.NewProviderKeyId);
        using (var newKey = created.ToSecretValue())
        {
            (await host.Adapter.VerifyAsync(context, newKey)).IsValid.Should().BeTrue();
        }

        var completed = await host.Rotator.CompleteGraceAsync(context.Key);

        completed.Step.Should().Be(RotationStep.Completed);
        iam.Credentials.Select(c => c.Id).Should().Equal(created.Id);
        using (var oldKey = old.ToSecretValue())
        {
            (await host.Adapter.VerifyAsync(context, oldKey)).IsValid.Should().BeFalse("IAM deleted the old credential and Bedrock refuses it");
        }

        host.ShouldNotLeak([old.Secret, created.Secret, iam.SecretAccessKey]);
    }
}

/// <summary>The adapter conformance suite against the promoted <see cref="AwsIamEmulator"/>, one credential per list page.</summary>
public sealed class AwsIamEmulatorConformanceTests : IronCage.Conformance.ProviderAdapterConformanceTests, IAsyncLifetime
{
    private readonly List<IDisposable> _owned = [];
    private readonly HostClockTimeProvider _time = new();
    private AwsIamEmulator _iam = null!;

    protected override ProviderKeyContext Context => new() { Key = new KeyReference(ProviderId.AwsBedrock, "prod"), Scope = new Dictionary<string, string> { [AwsBedrockConstants.UserNameScopeKey] = _iam.UserName } };

    public async Task InitializeAsync()
    {
        _iam = await AwsIamEmulator.StartAsync(_time);
        _iam.PageSize = 1;   // every list follows Marker pages
    }

    public async Task DisposeAsync()
    {
        _owned.ForEach(o => o.Dispose());
        await _iam.DisposeAsync();
    }

    protected override IProviderAdapter CreateAdapter()
    {
        var handler = _iam.CreateHttpMessageHandler();
        var host = new CloudProviderTestHost(
            b => b.AddAwsBedrock("aws", o =>
            {
                o.AccessKeyId = _iam.AccessKeyId;
                o.SecretAccessKey = _iam.SecretAccessKey;
                o.RetryDelay = TimeSpan.FromMilliseconds(1);
            }),
            AwsBedrockConstants.HttpClientName,
            handler);
        _time.Clock = host.Clock;
        _owned.Add(host);
        _owned.Add(handler);
        return host.Adapter;
    }
}
