using IronCage.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IronCage.Notifications.Tests;

/// <summary>The outbox delivers in the background: retries, timeouts, a full queue, and the drain on stop.</summary>
public sealed class NotificationOutboxTests
{
    [Fact]
    public async Task Publish_SinkFailsTwiceThenSucceeds_IsDeliveredOnTheThirdAttempt()
    {
        var sink = new GatedSink("flaky") { FailFirst = 2 };
        using var services = new NotificationServices(b => b.AddNotifications(o => o.RetryDelay = TimeSpan.Zero).AddNotificationSink(sink));
        var killed = Event(1);

        await services.Publisher.PublishAsync(killed, CancellationToken.None);

        sink.Attempted.Should().HaveCount(3).And.OnlyContain(e => ReferenceEquals(e, killed));
        sink.Delivered.Should().ContainSingle().Which.Should().BeSameAs(killed);
        services.Logs.Lines.Where(l => l.Contains("Notification sink flaky: delivery") && l.Contains("the outbox retries in")).Should().HaveCount(2);
        services.Logs.Lines.Should().NotContain(l => l.Contains("could not deliver"));
    }

    [Fact]
    public async Task Publish_SinkFailsEveryTime_GivesUpAfterMaxRetriesAndLogsWithoutThrowing()
    {
        var sink = new GatedSink("down") { FailFirst = int.MaxValue };
        using var services = new NotificationServices(b => b.AddNotifications(o =>
        {
            o.RetryDelay = TimeSpan.Zero;
            o.MaxRetries = 2;
        }).AddNotificationSink(sink));

        await services.Publisher.PublishAsync(Event(1), CancellationToken.None);

        sink.Attempted.Should().HaveCount(3, "one delivery and two retries");
        services.Logs.Lines.Should().ContainSingle(l => l.Contains("Notification sink down could not deliver key.killed for openai/prod"))
            .Which.Should().Contain("The receiver is down.");
    }

    [Fact]
    public async Task Publish_SinkThrowsNotificationDeliveryException_IsNotRetriedByTheOutbox()
    {
        var sink = new FinalFailureSink();
        using var services = new NotificationServices(b => b.AddNotifications(o => o.RetryDelay = TimeSpan.Zero).AddNotificationSink(sink));

        await services.Publisher.PublishAsync(Event(1), CancellationToken.None);

        sink.Attempts.Should().Be(1, "the sink already retried by its own policy");
        services.Logs.Lines.Should().ContainSingle(l => l.Contains("Notification sink final could not deliver"));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(5, 16)]
    [InlineData(6, 30)]
    [InlineData(10, 30)]
    public void Backoff_Retry_DoublesFromRetryDelayUpToMaxRetryDelay(int attempt, int seconds)
    {
        var options = new NotificationOutboxOptions();

        SinkQueue.Backoff(options, attempt).Should().Be(TimeSpan.FromSeconds(seconds));
    }

    [Fact]
    public async Task Publish_SinkHangs_OtherSinksGetEveryEventWhileItIsStuck()
    {
        var stuck = new GatedSink("stuck") { Gated = true, IgnoresCancellation = true };
        var healthy = new GatedSink("healthy");
        using var services = new NotificationServices(b => b.AddNotifications(o => o.DeliveryTimeout = TimeSpan.FromHours(1)).AddNotificationSink(stuck).AddNotificationSink(healthy));
        var outbox = services.Outbox;

        outbox.Publish(Event(1));
        outbox.Publish(Event(2));
        outbox.Publish(Event(3));
        await stuck.Entered;
        await healthy.DeliveredAsync(3);

        healthy.Delivered.Select(e => e.OperationId).Should().Equal("op-1", "op-2", "op-3");
        stuck.Attempted.Should().ContainSingle("the stuck sink is still on its first event").Which.OperationId.Should().Be("op-1");
        stuck.Open();
        await outbox.WhenHandledAsync();
        stuck.Delivered.Should().HaveCount(3, "once the sink answers again, its queue is delivered in order");
    }

    [Fact]
    public async Task Publish_SinkHangsPastDeliveryTimeout_TimesOutAndTheNextEventStillGoesThrough()
    {
        // The hanging sink ignores its token: the outbox must leave it behind, not wait for it.
        var hanging = new GatedSink("hanging") { Gated = true, IgnoresCancellation = true };
        var healthy = new GatedSink("healthy");
        using var services = new NotificationServices(b => b.AddNotifications(o =>
        {
            o.DeliveryTimeout = TimeSpan.FromMilliseconds(50);
            o.MaxRetries = 0;
        }).AddNotificationSink(hanging).AddNotificationSink(healthy));

        await services.Publisher.PublishAsync(Event(1), CancellationToken.None);
        await services.Publisher.PublishAsync(Event(2), CancellationToken.None);

        hanging.Attempted.Select(e => e.OperationId).Should().Equal("op-1", "op-2");
        healthy.Delivered.Select(e => e.OperationId).Should().Equal("op-1", "op-2");
        services.Logs.Lines.Where(l => l.Contains("Notification sink hanging could not deliver key.killed")).Should().HaveCount(2)
            .And.OnlyContain(l => l.Contains("did not deliver key.killed within DeliveryTimeout"));
    }

    [Theory]
    [InlineData(NotificationQueueFullMode.DropOldest, new[] { "op-1", "op-3", "op-4" })]
    [InlineData(NotificationQueueFullMode.DropNewest, new[] { "op-1", "op-2", "op-3" })]
    public async Task Publish_QueueFull_DropsByPolicyCountsAndLogs(NotificationQueueFullMode mode, string[] delivered)
    {
        var sinkName = "full-" + mode;
        var sink = new GatedSink(sinkName) { Gated = true };
        using var metric = new MetricRecorder(NotificationTelemetry.DroppedCount, sinkName);
        using var services = new NotificationServices(b => b.AddNotifications(o =>
        {
            o.Capacity = 2;
            o.FullMode = mode;
        }).AddNotificationSink(sink));
        var outbox = services.Outbox;

        outbox.Publish(Event(1));
        await sink.Entered;
        outbox.Publish(Event(2));
        outbox.Publish(Event(3));
        outbox.Publish(Event(4));
        sink.Open();
        await outbox.WhenHandledAsync();

        sink.Delivered.Select(e => e.OperationId).Should().Equal(delivered);
        metric.Total(NotificationTelemetry.ReasonTag, NotificationTelemetry.QueueFullReason).Should().Be(1);
        services.Logs.Lines.Should().ContainSingle(l => l.Contains("The notification outbox dropped key.killed for openai/prod on its way to sink " + sinkName))
            .Which.Should().Contain("the queue was full").And.Contain("at most 2 events");
    }

    [Fact]
    public async Task StopAsync_EventsQueued_DeliversThemBeforeTheHostStops()
    {
        var sink = new GatedSink("draining") { Gated = true };
        using var services = new NotificationServices(b => b.AddNotifications().AddNotificationSink(sink));
        var hosted = services.Services.GetServices<IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        var outbox = services.Outbox;
        outbox.Publish(Event(1));
        outbox.Publish(Event(2));
        outbox.Publish(Event(3));
        await sink.Entered;
        var stopping = Task.WhenAll(hosted.Select(s => s.StopAsync(CancellationToken.None)));
        sink.Open();
        await stopping;

        sink.Delivered.Select(e => e.OperationId).Should().Equal("op-1", "op-2", "op-3");
        outbox.Publish(Event(4));
        sink.Delivered.Should().HaveCount(3, "a stopped outbox takes no more events");
        services.Logs.Lines.Should().Contain(l => l.Contains("dropped key.killed") && l.Contains("the outbox has stopped"));
    }

    [Fact]
    public async Task StopAsync_SinkHangsPastDrainTimeout_StopsAndCountsWhatIsLeft()
    {
        var sink = new GatedSink("stuck-at-stop") { Gated = true, IgnoresCancellation = true };
        using var metric = new MetricRecorder(NotificationTelemetry.DroppedCount, sink.Name);
        using var services = new NotificationServices(b => b.AddNotifications(o => o.DrainTimeout = TimeSpan.FromMilliseconds(50)).AddNotificationSink(sink));
        var outbox = services.Outbox;
        outbox.Publish(Event(1));
        outbox.Publish(Event(2));
        outbox.Publish(Event(3));
        await sink.Entered;

        await outbox.StopAsync(CancellationToken.None);

        sink.Delivered.Should().BeEmpty();
        metric.Total(NotificationTelemetry.ReasonTag, NotificationTelemetry.StoppedReason).Should().Be(3, "the event under way and the two queued");
        services.Logs.Lines.Should().ContainSingle(l => l.Contains("stopped with 3 event(s) still queued for sink stuck-at-stop"));
        await outbox.WhenHandledAsync();
    }

    [Fact]
    public async Task Publish_Deliveries_AreCountedBySinkAndOutcome()
    {
        var ok = new GatedSink("counted-ok");
        var down = new GatedSink("counted-down") { FailFirst = int.MaxValue };
        using var okMetric = new MetricRecorder(NotificationTelemetry.DeliveryCount, ok.Name);
        using var downMetric = new MetricRecorder(NotificationTelemetry.DeliveryCount, down.Name);
        using var services = new NotificationServices(b => b.AddNotifications(o => o.MaxRetries = 0).AddNotificationSink(ok).AddNotificationSink(down));

        await services.Publisher.PublishAsync(Event(1), CancellationToken.None);
        await services.Publisher.PublishAsync(Event(2), CancellationToken.None);

        okMetric.Total(IronCageTelemetry.OutcomeTag, IronCageTelemetry.SuccessOutcome).Should().Be(2);
        downMetric.Total(IronCageTelemetry.OutcomeTag, IronCageTelemetry.FailureOutcome).Should().Be(2);
    }

    [Fact]
    public void Publish_NoSink_DoesNothing()
    {
        using var services = new NotificationServices(b => b.AddNotifications());

        var act = () => services.Outbox.Publish(Event(1));

        act.Should().NotThrow();
        services.Outbox.Sinks.Should().BeEmpty();
    }

    private static KeyKilled Event(int number) => NotificationEvents.Killed() with { OperationId = "op-" + number };

    private sealed class FinalFailureSink : INotificationSink
    {
        private int _attempts;

        public int Attempts => _attempts;

        public string Name => "final";

        public ValueTask SendAsync(NotificationEvent notificationEvent, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _attempts);
            throw new NotificationDeliveryException("The receiver answered 400; such answers are not retried.");
        }
    }
}
