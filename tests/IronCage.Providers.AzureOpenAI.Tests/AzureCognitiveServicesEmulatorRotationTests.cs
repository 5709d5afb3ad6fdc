using Azure.Core;
using IronCage.Providers.AzureOpenAI;
using IronCage.Rotation;
using IronCage.Testing.Emulator;

namespace IronCage.Providers.AzureOpenAI.Tests;

/// <summary>End to end through the real engine against the promoted <see cref="AzureCognitiveServicesEmulator"/> (Kestrel, ARM bearer and api-version checked).</summary>
public sealed class AzureCognitiveServicesEmulatorRotationTests
{
    internal static CloudProviderTestHost Host(AzureCognitiveServicesEmulator azure, HttpMessageHandler handler) => new(
        b => b.AddAzureOpenAI("azure", o =>
        {
            o.Credential = new ArmToken(azure.ArmToken);
            o.PollInterval = TimeSpan.FromMilliseconds(1);
            o.MaxPollInterval = TimeSpan.FromMilliseconds(5);
            o.RetryDelay = TimeSpan.FromMilliseconds(1);
        }),
        AzureOpenAIConstants.HttpClientName,
        handler);

    internal static ProviderKeyContext Context() => new()
    {
        Key = new KeyReference(ProviderId.AzureOpenAI, "prod"),
        Scope = new Dictionary<string, string>
        {
            [AzureOpenAIConstants.SubscriptionIdScopeKey] = "sub-1",
            [AzureOpenAIConstants.ResourceGroupScopeKey] = "rg-ai",
            [AzureOpenAIConstants.AccountNameScopeKey] = "my-openai",
            [AzureOpenAIConstants.EndpointScopeKey] = "https://my-openai.openai.azure.com",
        },
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Rotate_SlotAlternating_PromotesKey2_AndAfterGraceTheOldKey1ValueIsRefused(bool asynchronous)
    {
        await using var azure = await AzureCognitiveServicesEmulator.StartAsync();
        azure.AddAccount("sub-1", "rg-ai", "my-openai");
        azure.AsynchronousRegenerate = asynchronous;
        using var handler = azure.CreateHttpMessageHandler();
        using var host = Host(azure, handler);
        var context = Context();
        var oldValue = azure.GetKey("sub-1", "rg-ai", "my-openai", "Key1");
        using (var initial = SecretValue.FromString(oldValue))
        {
            await host.Rotator.RegisterAsync(new KeyRegistration { Reference = context.Key, ProviderKeyId = "Key1", Scope = context.Scope }, initial);
        }

        var operation = await host.Rotator.RotateAsync(context.Key, RotationReason.Manual);

        operation.Tier.Should().Be(RotationTier.SlotAlternating);
        operation.Step.Should().Be(RotationStep.GracePeriod);
        operation.NewProviderKeyId.Should().Be("Key2");
        var completed = await host.Rotator.CompleteGraceAsync(context.Key);

        completed.Step.Should().Be(RotationStep.Completed);
        using (var oldKey = SecretValue.FromString(oldValue))
        {
            (await host.Adapter.VerifyAsync(context, oldKey)).IsValid.Should().BeFalse("Key1 was regenerated after grace");
        }

        var current = (await host.Keys.GetAsync(context.Key))!.CurrentVersion!;
        using (var newKey = await host.OpenAsync(current, context.Key))
        {
            newKey.Matches(azure.GetKey("sub-1", "rg-ai", "my-openai", "Key2")).Should().BeTrue();
            (await host.Adapter.VerifyAsync(context, newKey)).IsValid.Should().BeTrue();
        }

        if (asynchronous)
        {
            azure.Requests.Should().Contain(r => r.Contains("/operationStatuses/", StringComparison.Ordinal) || r.Contains("/operationResults/", StringComparison.Ordinal), "the 202 was polled");
        }

        host.ShouldNotLeak([oldValue, azure.ArmToken]);
    }

    private sealed class ArmToken(string token) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(token, DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}

/// <summary>The adapter conformance suite against the promoted <see cref="AzureCognitiveServicesEmulator"/>.</summary>
public sealed class AzureCognitiveServicesEmulatorConformanceTests : IronCage.Conformance.ProviderAdapterConformanceTests, IAsyncLifetime
{
    private readonly List<IDisposable> _owned = [];
    private AzureCognitiveServicesEmulator _azure = null!;

    protected override ProviderKeyContext Context => AzureCognitiveServicesEmulatorRotationTests.Context();

    protected override string? RegenerateSlot => "Key1";

    public async Task InitializeAsync()
    {
        _azure = await AzureCognitiveServicesEmulator.StartAsync();
        _azure.AddAccount("sub-1", "rg-ai", "my-openai");
    }

    public async Task DisposeAsync()
    {
        _owned.ForEach(o => o.Dispose());
        await _azure.DisposeAsync();
    }

    protected override IProviderAdapter CreateAdapter()
    {
        var handler = _azure.CreateHttpMessageHandler();
        var host = AzureCognitiveServicesEmulatorRotationTests.Host(_azure, handler);
        _owned.Add(host);
        _owned.Add(handler);
        return host.Adapter;
    }

    protected override Task<CreatedProviderKey?> SeedKeyAsync(IProviderAdapter adapter)
        => Task.FromResult<CreatedProviderKey?>(new CreatedProviderKey("Key1", SecretValue.FromString(_azure.GetKey("sub-1", "rg-ai", "my-openai", "Key1"))));
}
