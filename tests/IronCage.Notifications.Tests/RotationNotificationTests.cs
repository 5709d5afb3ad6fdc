using System.Net;
using System.Net.Sockets;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Notifications.Tests;

/// <summary>A sink that is down never delays a rotation or a scheduler pass: publishing only queues.</summary>
public sealed class RotationNotificationTests
{
    [Fact]
    public async Task RotateAsync_SinkBlocksUntilReleased_CompletesWhileTheSinkIsStillBlocked()
    {
        var blocked = new GatedSink("blocked") { Gated = true };
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI), extend: b => b.AddNotificationSink(blocked));
        var (registered, _) = await harness.RegisterAsync();

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised);

        operation.Step.Should().Be(RotationStep.Completed, "the rotation finished and returned its result while the sink was blocked");
        await blocked.Entered;
        blocked.Delivered.Should().BeEmpty("the sink has not been released yet");
        await harness.AssertInvariantsAsync(registered.Reference, maxLiveKeys: 1);

        blocked.Open();
        await harness.Services.GetRequiredService<NotificationOutbox>().WhenHandledAsync();
        blocked.Delivered.Select(e => e.Type).Should().Equal(harness.Shared.Events.All.Select(e => e.Type), "once released, the sink gets every event, in order");
    }

    [Fact]
    public async Task RotateAsync_WebhookRefusesConnections_CompletesAndTheFailureIsLoggedLater()
    {
        var url = new Uri($"http://127.0.0.1:{ClosedPort()}/hooks/ironcage");
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI), extend: b => b.AddWebhookNotifications(NotificationServices.Webhook(url, o => o.MaxRetries = 1)));
        var (registered, _) = await harness.RegisterAsync();

        var operation = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised);
        await harness.Services.GetRequiredService<NotificationOutbox>().WhenHandledAsync();

        operation.Step.Should().Be(RotationStep.Completed);
        harness.Shared.Logs.Lines.Where(l => l.Contains("Notification sink webhook could not deliver")).Should().HaveCount(harness.Shared.Events.All.Count)
            .And.OnlyContain(l => l.Contains("could not be reached after 2 attempts"))
            .And.NotContain(l => l.Contains("/hooks/ironcage"));
        await harness.AssertInvariantsAsync(registered.Reference, maxLiveKeys: 1);
    }

    [Fact]
    public async Task RunDueAsync_SinkBlocks_TheReminderPassFinishesWithoutWaitingOnIt()
    {
        var blocked = new GatedSink("blocked") { Gated = true };
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.Groq), extend: b => b.AddNotificationSink(blocked));
        await harness.RegisterAsync("prod", new RotationPolicy { Schedule = RotationSchedule.Monthly });
        harness.Clock.Reset(Instant.FromUtc(2026, 12, 1, 10, 0));

        var pass = await harness.Scheduler.RunDueAsync(harness.Clock.GetCurrentInstant());

        pass.Reminders.Should().Be(1, "the pass ended (and let go of its lease) while the sink was blocked");
        await blocked.Entered;
        blocked.Delivered.Should().BeEmpty();
        blocked.Open();
        await harness.Services.GetRequiredService<NotificationOutbox>().WhenHandledAsync();
        blocked.Delivered.OfType<RotationOverdue>().Should().ContainSingle().Which.ReminderCount.Should().Be(1);
    }

    private static int ClosedPort()
    {
        // A port that was free a moment ago and has no listener: connecting to it is refused.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
