using System.Collections.Concurrent;
using IronCage.Core.Tests.Support;
using IronCage.Notifications;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Usage.Tests.Notifications;

public sealed class UsageAlertBridgeTests
{
    private static readonly KeyReference Key = KeyReference.Parse("openai/prod");

    private static readonly UsageAlert Alert = new()
    {
        Key = Key,
        Kind = UsageAlertKind.LimitReached,
        OccurredAt = Instant.FromUtc(2026, 11, 1, 9, 0),
        Window = UsageWindow.Day,
        WindowStart = Instant.FromUtc(2026, 11, 1, 0, 0),
        WindowEnd = Instant.FromUtc(2026, 11, 2, 0, 0),
        Limit = new UsageLimit(UsageMetric.Cost, UsageWindow.Day, 50m),
        Threshold = 1.0,
        Value = 50.25m,
    };

    [Fact]
    public async Task UsageAlert_SentThroughTheRegisteredAlertSinks_ReachesANotificationSinkAsAUsageEvent()
    {
        var sink = new RecordingSink();
        var logs = new RecordingLoggerProvider();
        using var services = Build(logs, b => b.AddNotificationSink(sink).AddLoggerNotifications().AddUsageTracking());
        var alertSinks = services.GetServices<IUsageAlertSink>().ToList();

        alertSinks.Should().ContainSingle("usage tracking registers the bridge once");
        await alertSinks[0].SendAsync(Alert);
        await StopAsync(services);

        var received = sink.Events.Should().ContainSingle().Which.Should().BeOfType<UsageAlertRaised>().Subject;
        received.Alert.Should().BeSameAs(Alert);
        received.Key.Should().Be(Key);
        received.Type.Should().Be("usage.limit_reached");
        received.Severity.Should().Be(EventSeverity.Critical);
        received.Describe().Should().Contain("openai/prod").And.Contain("50 Cost per Day");
        logs.Entries.Should().Contain(e => e.Category.Contains("LoggerNotificationSink") && e.Message.Contains("usage.limit_reached"));
    }

    [Fact]
    public void AddUsageTracking_WithoutNotificationSinks_AlertsGoToTheLog()
    {
        using var services = Build(new RecordingLoggerProvider(), b => b.AddUsageTracking());

        var bridge = services.GetServices<IUsageAlertSink>().Should().ContainSingle().Subject;
        bridge.Should().BeOfType<UsageAlertNotificationBridge>().Which.HasSinks.Should().BeFalse("with no sink behind the bridge the alert monitor logs alerts itself");
    }

    [Fact]
    public void AddUsageTracking_DoesNotNeedTheRotationPackage()
    {
        typeof(UsageAlertRaised).Assembly.GetReferencedAssemblies().Select(a => a.Name).Should().NotContain("IronCage.Rotation");
    }

    private static ServiceProvider Build(RecordingLoggerProvider logs, Action<IIronCageBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        configure(services.AddIronCage().ProtectKeysWithMasterKey(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))));
        return services.BuildServiceProvider();
    }

    /// <summary>Stops the hosted services as a host would on shutdown: the notification outbox drains.</summary>
    private static async Task StopAsync(IServiceProvider services)
    {
        foreach (var hosted in services.GetServices<IHostedService>().Reverse())
        {
            await hosted.StopAsync(CancellationToken.None);
        }
    }

    private sealed class RecordingSink : INotificationSink
    {
        private readonly ConcurrentQueue<NotificationEvent> _events = new();

        public IReadOnlyList<NotificationEvent> Events => [.. _events];

        public string Name => "recording";

        public ValueTask SendAsync(NotificationEvent notificationEvent, CancellationToken cancellationToken = default)
        {
            _events.Enqueue(notificationEvent);
            return ValueTask.CompletedTask;
        }
    }
}
