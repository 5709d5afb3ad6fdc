using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Storage;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Rotation.Tests;

public sealed class SchedulerTests
{
    private static readonly RotationPolicy Monthly = new() { Schedule = RotationSchedule.Monthly };

    [Fact]
    public async Task RunDue_RotatesDueKeysThenFinishesTheirGracePeriods()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider);
        var keys = new List<KeyReference>();
        for (var i = 0; i < 3; i++)
        {
            keys.Add((await harness.RegisterAsync("k" + i, Monthly)).Key.Reference);
        }

        (await harness.Scheduler.RunDueAsync(harness.Clock.GetCurrentInstant())).Started.Should().Be(0);

        harness.Clock.Reset(Instant.FromUtc(2026, 12, 1, 9, 0));
        var first = await harness.Scheduler.RunDueAsync(harness.Clock.GetCurrentInstant());
        first.Started.Should().Be(3);
        foreach (var key in keys)
        {
            (await harness.Operations.FindActiveAsync(key))!.Step.Should().Be(RotationStep.GracePeriod);
        }

        harness.Clock.AdvanceHours(24);
        var second = await harness.Scheduler.RunDueAsync(harness.Clock.GetCurrentInstant());
        second.Resumed.Should().Be(3);
        second.Completed.Should().Be(3);
        foreach (var key in keys)
        {
            await harness.AssertInvariantsAsync(key, maxLiveKeys: 3);
            (await harness.Operations.FindActiveAsync(key)).Should().BeNull();
        }

        provider.LiveKeyIds.Should().HaveCount(3, "one live key per managed key");
    }

    [Fact]
    public async Task RunDue_DoesWhatPlanSaid()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenRouter);
        using var harness = new RotationHarness(provider);
        await harness.RegisterAsync("monthly", Monthly);
        await harness.RegisterAsync("weekly", new RotationPolicy { Schedule = RotationSchedule.Weekly });
        await harness.RegisterAsync("on-demand");
        var now = Instant.FromUtc(2026, 11, 9, 9, 0);
        harness.Clock.Reset(now);

        var plan = await harness.Rotator.PlanAsync(now);
        var result = await harness.Scheduler.RunDueAsync(now);

        plan.Due.Select(i => i.Key.Name).Should().Equal("weekly");
        result.Started.Should().Be(1);
        (await harness.Operations.FindActiveAsync(KeyReference.Parse("openrouter/weekly"))).Should().NotBeNull();
        (await harness.Operations.FindActiveAsync(KeyReference.Parse("openrouter/monthly"))).Should().BeNull();
    }

    [Fact]
    public async Task RunDue_WaitsForTheMaintenanceWindowInTheKeysTimeZone()
    {
        var berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
        var policy = new RotationPolicy
        {
            Schedule = RotationSchedule.Monthly,
            Window = new MaintenanceWindow([IsoDayOfWeek.Tuesday], new LocalTime(3, 0), Duration.FromHours(2), berlin),
        };
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider);
        harness.Clock.Reset(Instant.FromUtc(2026, 11, 1, 9, 0)); // Sunday 10:00 in Berlin
        await harness.RegisterAsync("windowed", policy);

        // Due by the calendar on Tuesday 1 December 10:00 Berlin, but the window opens on Tuesday 8 December 03:00 Berlin (02:00 UTC).
        var calendarDue = Instant.FromUtc(2026, 12, 1, 9, 0);
        (await harness.Scheduler.RunDueAsync(calendarDue)).Started.Should().Be(0);
        var opening = Instant.FromUtc(2026, 12, 8, 2, 0);
        (await harness.Rotator.PlanAsync(calendarDue)).Items.Single().DueAt.Should().Be(opening);
        (await harness.Scheduler.RunDueAsync(opening - Duration.FromMinutes(1))).Started.Should().Be(0);
        harness.Clock.Reset(opening);
        (await harness.Scheduler.RunDueAsync(opening)).Started.Should().Be(1);
    }

    [Fact]
    public async Task RunDue_ManualKeysGetEscalatingRemindersWithTheConsoleUrl()
    {
        var provider = FakeProviderAdapter.For(ProviderId.Groq);
        using var harness = new RotationHarness(provider);
        await harness.RegisterAsync("prod", Monthly);
        harness.Clock.Reset(Instant.FromUtc(2026, 12, 1, 10, 0));

        await harness.Scheduler.RunDueAsync(harness.Clock.GetCurrentInstant());
        harness.Clock.AdvanceHours(1);
        await harness.Scheduler.RunDueAsync(harness.Clock.GetCurrentInstant());
        harness.Clock.AdvanceHours(24);
        await harness.Scheduler.RunDueAsync(harness.Clock.GetCurrentInstant());
        harness.Clock.AdvanceHours(24);
        var third = await harness.Scheduler.RunDueAsync(harness.Clock.GetCurrentInstant());

        third.Reminders.Should().Be(1);
        var reminders = harness.Shared.Events.All.OfType<RotationOverdue>().ToList();
        reminders.Select(r => r.ReminderCount).Should().Equal(1, 2, 3);
        reminders.Select(r => r.Severity).Should().Equal(EventSeverity.Warning, EventSeverity.Warning, EventSeverity.Critical);
        reminders[0].ConsoleUrl.Should().Be(new Uri("https://console.groq.com/keys"));
        provider.Calls.Should().BeEmpty("a manual-tier key is never touched at the provider");
    }

    [Fact]
    public async Task RunDue_WarnsOnceBeforeAProviderSideExpiry()
    {
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI));
        var start = harness.Clock.GetCurrentInstant();
        await harness.RegisterAsync("expiring", expiresAt: start + Duration.FromDays(20));

        (await harness.Scheduler.RunDueAsync(start)).ExpiryWarnings.Should().Be(0, "20 days away is outside the 14-day lead");
        harness.Clock.AdvanceDays(7);
        (await harness.Scheduler.RunDueAsync(harness.Clock.GetCurrentInstant())).ExpiryWarnings.Should().Be(1);
        harness.Clock.AdvanceDays(1);
        (await harness.Scheduler.RunDueAsync(harness.Clock.GetCurrentInstant())).ExpiryWarnings.Should().Be(0);

        harness.Shared.Events.All.OfType<KeyExpiringSoon>().Should().ContainSingle().Which.ExpiresAt.Should().Be(start + Duration.FromDays(20));
    }

    [Fact]
    public async Task RunDue_AFailingRotationNeverStopsThePassAndBacksOff()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider);
        await harness.RegisterAsync("broken", Monthly);
        await harness.RegisterAsync("fine", Monthly);
        provider.On(FakeProviderOperation.Create).Fail(ProviderErrorKind.Forbidden);
        harness.Clock.Reset(Instant.FromUtc(2026, 12, 2, 9, 0));

        var first = await harness.Scheduler.RunDueAsync(harness.Clock.GetCurrentInstant());

        first.Started.Should().Be(2);
        first.Failed.Should().Be(1);
        var failedKey = (await harness.Operations.FindActiveAsync(KeyReference.Parse("openai/broken"))) is null
            && (await harness.Operations.FindActiveAsync(KeyReference.Parse("openai/fine"))) is not null
            ? "broken" : "fine";
        harness.Shared.Events.All.OfType<RotationFailed>().Should().ContainSingle().Which.Key.Name.Should().Be(failedKey);

        (await harness.Scheduler.RunDueAsync(harness.Clock.GetCurrentInstant())).Started.Should().Be(0, "a failed key backs off before the next attempt");
        harness.Clock.AdvanceMinutes(2);
        (await harness.Scheduler.RunDueAsync(harness.Clock.GetCurrentInstant())).Started.Should().Be(1);
    }

    [Fact]
    public async Task RunDue_TwoInstancesOnOneStore_RotateEachKeyExactlyOnce()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        var clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        var shared = new RotationHarness.SharedState();
        using var first = new RotationHarness(provider, clock, shared);
        using var second = new RotationHarness(provider, clock, shared);
        var keys = new List<KeyReference>();
        for (var i = 0; i < 200; i++)
        {
            keys.Add((await first.RegisterAsync("key-" + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture), Monthly)).Key.Reference);
        }

        clock.Reset(Instant.FromUtc(2026, 12, 1, 9, 0));
        var now = clock.GetCurrentInstant();
        var results = await Task.WhenAll(
            Task.Run(() => first.Scheduler.RunDueAsync(now)),
            Task.Run(() => second.Scheduler.RunDueAsync(now)));

        results.Sum(r => r.Started).Should().Be(200);
        provider.CallsTo(FakeProviderOperation.Create).Where(c => c.Outcome == FakeCallOutcome.Succeeded).GroupBy(c => c.Key).Should().HaveCount(200).And.OnlyContain(g => g.Count() == 1);
        foreach (var key in keys)
        {
            var operations = new List<RotationOperation>();
            await foreach (var operation in shared.Operations.ListForKeyAsync(key))
            {
                operations.Add(operation);
            }

            operations.Should().ContainSingle($"{key} rotates exactly once");
        }
    }

    [Fact]
    public async Task HostedScheduler_RunsPassesAndStopsCleanly()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        var clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        var shared = new RotationHarness.SharedState();
        using (var setup = new RotationHarness(provider, clock, shared))
        {
            await setup.RegisterAsync("prod", Monthly);
        }

        clock.Reset(Instant.FromUtc(2026, 12, 1, 9, 0));
        using var host = Host.CreateDefaultBuilder()
            .ConfigureServices(services =>
            {
                services.AddSingleton<IClock>(clock);
                services.AddSingleton<IKeyStore>(shared.Keys);
                services.AddSingleton<IAuditLog>(shared.Audit);
                services.AddSingleton<IRotationStore>(shared.Operations);
                services.AddIronCage().ProtectKeysWithMasterKey(shared.MasterKey).AddProviderAdapter(provider)
                    .AddRotationScheduler(o => o.Interval = TimeSpan.FromSeconds(1));
            })
            .Build();

        await host.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await shared.Operations.FindActiveAsync(KeyReference.Parse("openai/prod")))?.Step != RotationStep.GracePeriod && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await host.StopAsync();
        (await shared.Operations.FindActiveAsync(KeyReference.Parse("openai/prod")))!.Step.Should().Be(RotationStep.GracePeriod);
    }

    [Fact]
    public async Task AddRotationScheduler_BadOptions_StopStartUp()
    {
        using var host = Host.CreateDefaultBuilder()
            .ConfigureServices(services => services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
                .AddRotationScheduler(o =>
                {
                    o.Interval = TimeSpan.Zero;
                    o.MaxParallelism = 0;
                }))
            .Build();

        var act = async () => await host.StartAsync();
        (await act.Should().ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>()).Which.Failures.Should().HaveCount(2);
    }
}
