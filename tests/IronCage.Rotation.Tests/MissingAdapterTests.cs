using IronCage.Encryption;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Rotation.Tests;

/// <summary>
/// A key of a provider the catalog can rotate automatically, in a host that registered no adapter for it, rotates as
/// Manual: never silently. Registration, every rotation and the plan say so and name the fix.
/// </summary>
public sealed class MissingAdapterTests
{
    [Fact]
    public async Task AutomaticProviderWithoutAdapter_IsReportedLoudlyWithTheFix_AtRegistrationRotationAndInThePlan()
    {
        var logs = new RotationHarness.RecordingLogs();
        var clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddSingleton<IClock>(clock);
        services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).AddRotation();
        await using var provider = services.BuildServiceProvider();
        var rotator = provider.GetRequiredService<IKeyRotator>();
        var reference = new KeyReference(ProviderId.OpenAI, "prod");
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);

        await rotator.RegisterAsync(new KeyRegistration { Reference = reference, Verify = false, Policy = new RotationPolicy { Schedule = RotationSchedule.Monthly } }, secret);
        logs.Lines.Should().ContainSingle(l => l.Contains("No provider adapter is registered for 'openai'", StringComparison.Ordinal) && l.Contains("AddOpenAI", StringComparison.Ordinal));

        var operation = await rotator.RotateAsync(reference, RotationReason.Manual);

        operation.Tier.Should().Be(Providers.RotationTier.Manual);
        operation.Step.Should().Be(RotationStep.AwaitingNewKey);
        logs.Lines.Count(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("rotate as Manual", StringComparison.Ordinal)).Should().Be(2, "the rotation says it too");
        await rotator.CancelAsync(reference);
        clock.Advance(Duration.FromDays(400));
        var plan = await rotator.PlanAsync(clock.GetCurrentInstant());
        plan.Items.Should().ContainSingle(i => i.Key == reference).Which.Detail.Should().Contain("Register its adapter");
    }

    [Fact]
    public async Task ManualProvider_HasNothingToReport()
    {
        var logs = new RotationHarness.RecordingLogs();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).AddRotation();
        await using var provider = services.BuildServiceProvider();
        using var secret = FakeKeys.Generate(ProviderId.Groq);

        await provider.GetRequiredService<IKeyRotator>().RegisterAsync(new KeyRegistration { Reference = new KeyReference(ProviderId.Groq, "prod"), Verify = false }, secret);

        logs.Lines.Should().NotContain(l => l.Contains("No provider adapter is registered", StringComparison.Ordinal));
    }
}
