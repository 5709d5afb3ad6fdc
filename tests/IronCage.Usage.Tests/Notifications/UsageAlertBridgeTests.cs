using System.Text.Json;
using IronCage.Usage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Rotation.Tests.Notifications;

public sealed class UsageAlertBridgeTests
{
    private static readonly UsageAlert Alert = new()
    {
        Key = NotificationEvents.Key,
        Kind = UsageAlertKind.LimitReached,
        OccurredAt = NotificationEvents.At,
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
        using var services = new NotificationServices(b => b.AddNotificationSink(sink).AddLoggerNotifications().AddUsageTracking());
        var alertSinks = services.Services.GetServices<IUsageAlertSink>().ToList();

        alertSinks.Should().ContainSingle("every notification extension registers the same bridge once");
        await alertSinks[0].SendAsync(Alert);

        var received = sink.Events.Should().ContainSingle().Which.Should().BeOfType<UsageAlertRaised>().Subject;
        received.Alert.Should().BeSameAs(Alert);
        received.Key.Should().Be(NotificationEvents.Key);
        received.Type.Should().Be("usage.limit_reached");
        received.Severity.Should().Be(EventSeverity.Critical);
        received.Describe().Should().Contain("openai/prod").And.Contain("50 Cost per Day");
        services.Logs.Lines.Should().Contain(l => l.Contains("LoggerNotificationSink") && l.Contains("usage.limit_reached"));
    }

    [Fact]
    public void WebhookPayload_UsageAlertRaised_CarriesTheAlertFields()
    {
        using var json = JsonDocument.Parse(WebhookPayload.Write(UsageAlertRaised.From(Alert), "d-1"));
        var root = json.RootElement;

        root.GetProperty("type").GetString().Should().Be("usage.limit_reached");
        root.GetProperty("severity").GetString().Should().Be("critical");
        root.GetProperty("alertKind").GetString().Should().Be("limit_reached");
        root.GetProperty("window").GetString().Should().Be("day");
        root.GetProperty("windowEnd").GetString().Should().Be("2026-11-02T00:00:00Z");
        root.GetProperty("value").GetDecimal().Should().Be(50.25m);
        root.GetProperty("threshold").GetDouble().Should().Be(1.0);
    }

    private sealed class RecordingSink : INotificationSink
    {
        public List<RotationEvent> Events { get; } = [];

        public string Name => "recording";

        public ValueTask SendAsync(RotationEvent rotationEvent, CancellationToken cancellationToken = default)
        {
            Events.Add(rotationEvent);
            return ValueTask.CompletedTask;
        }
    }
}
