using IronCage.Providers.GoogleGemini;
using IronCage.Rotation;
using IronCage.Testing.Emulator;

namespace IronCage.Providers.GoogleGemini.Tests;

/// <summary>End to end through the real engine against the promoted <see cref="GoogleApiKeysEmulator"/> (Kestrel, operations polled).</summary>
public sealed class GoogleApiKeysEmulatorRotationTests
{
    internal static CloudProviderTestHost Host(GoogleApiKeysEmulator google, HttpMessageHandler handler, HostClockTimeProvider time)
    {
        var host = new CloudProviderTestHost(
            b => b.AddGoogleGemini("google", o =>
            {
                o.AccessToken = google.AccessToken;
                o.PollInterval = TimeSpan.FromMilliseconds(1);
                o.MaxPollInterval = TimeSpan.FromMilliseconds(5);
                o.RetryDelay = TimeSpan.FromMilliseconds(1);
            }),
            GoogleGeminiConstants.HttpClientName,
            handler);
        time.Clock = host.Clock;
        return host;
    }

    internal static ProviderKeyContext Context(GoogleApiKeysEmulator google) => new()
    {
        Key = new KeyReference(ProviderId.GoogleGemini, "prod"),
        Scope = new Dictionary<string, string> { [GoogleGeminiConstants.ProjectScopeKey] = google.ProjectNumber },
    };

    [Fact]
    public async Task Rotate_CreatesAndPromotesANewKey_AndAfterGraceTheOldKeyIsSoftDeletedAndRefusedByGemini()
    {
        var time = new HostClockTimeProvider();
        await using var google = await GoogleApiKeysEmulator.StartAsync(time);
        var oldString = google.Seed("gemini-prod", "Gemini prod (console)");
        using var handler = google.CreateHttpMessageHandler();
        using var host = Host(google, handler, time);
        var context = Context(google);
        using (var initial = SecretValue.FromString(oldString))
        {
            await host.Rotator.RegisterAsync(new KeyRegistration { Reference = context.Key, ProviderKeyId = $"{google.Parent}/keys/gemini-prod", Scope = context.Scope, Policy = RotationPolicy.Default }, initial);
        }

        var operation = await host.Rotator.RotateAsync(context.Key, RotationReason.Manual);

        operation.Tier.Should().BeOneOf(RotationTier.Automatic, RotationTier.CreateThenDelete);
        operation.Step.Should().Be(RotationStep.GracePeriod);
        var completed = await host.Rotator.CompleteGraceAsync(context.Key);

        completed.Step.Should().Be(RotationStep.Completed);
        google.TryGetKey("gemini-prod", out var deleteTime).Should().BeTrue("API Keys v2 deletes softly");
        deleteTime.Should().NotBeNull();
        using (var oldKey = SecretValue.FromString(oldString))
        {
            (await host.Adapter.VerifyAsync(context, oldKey)).IsValid.Should().BeFalse("Gemini refuses a deleted key");
        }

        var current = (await host.Keys.GetAsync(context.Key))!.CurrentVersion!;
        using (var newKey = await host.OpenAsync(current, context.Key))
        {
            (await host.Adapter.VerifyAsync(context, newKey)).IsValid.Should().BeTrue();
        }

        host.ShouldNotLeak([oldString, google.AccessToken]);
    }
}

/// <summary>The adapter conformance suite against the promoted <see cref="GoogleApiKeysEmulator"/>.</summary>
public sealed class GoogleApiKeysEmulatorConformanceTests : IronCage.Conformance.ProviderAdapterConformanceTests, IAsyncLifetime
{
    private readonly List<IDisposable> _owned = [];
    private readonly HostClockTimeProvider _time = new();
    private GoogleApiKeysEmulator _google = null!;

    protected override ProviderKeyContext Context => GoogleApiKeysEmulatorRotationTests.Context(_google);

    public async Task InitializeAsync()
    {
        _google = await GoogleApiKeysEmulator.StartAsync(_time);
        _google.MaxPageSize = 1;   // every list follows nextPageToken pages
    }

    public async Task DisposeAsync()
    {
        _owned.ForEach(o => o.Dispose());
        await _google.DisposeAsync();
    }

    protected override IProviderAdapter CreateAdapter()
    {
        var handler = _google.CreateHttpMessageHandler();
        var host = GoogleApiKeysEmulatorRotationTests.Host(_google, handler, _time);
        _owned.Add(host);
        _owned.Add(handler);
        return host.Adapter;
    }
}
