using System.Text.Json;
using IronCage.Usage;
using NodaTime;

namespace IronCage.Notifications.Tests;

/// <summary>A usage alert (an event of another package) writes its own fields into the webhook payload.</summary>
public sealed class UsageAlertPayloadTests
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
}
