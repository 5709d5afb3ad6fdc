using Microsoft.Extensions.Logging;

namespace IronCage.Notifications.Tests;

public sealed class LoggerNotificationSinkTests
{
    public static TheoryData<RotationEvent, LogLevel> Levels => new()
    {
        { NotificationEvents.Started(RotationReason.Scheduled), LogLevel.Information },
        { NotificationEvents.Completed(), LogLevel.Information },
        { NotificationEvents.Started(RotationReason.Compromised), LogLevel.Warning },
        { NotificationEvents.Overdue(reminders: 1), LogLevel.Warning },
        { NotificationEvents.Overdue(reminders: 3), LogLevel.Critical },
        { NotificationEvents.RevocationFailed(), LogLevel.Critical },
    };

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task Send_Event_IsLoggedAtTheLevelOfItsSeverity(RotationEvent rotationEvent, LogLevel level)
    {
        using var services = new NotificationServices(b => b.AddLoggerNotifications());

        await services.Publisher.PublishAsync(rotationEvent, CancellationToken.None);

        var expected = rotationEvent.OperationId is { } operation
            ? $"{rotationEvent.Type} for openai/prod (operation {operation}): {rotationEvent.Describe()}"
            : $"{rotationEvent.Type} for openai/prod: {rotationEvent.Describe()}";
        services.Logs.Lines.Should().ContainSingle(l => l.Contains("LoggerNotificationSink"))
            .Which.Should().StartWith($"{level} IronCage.Notifications.LoggerNotificationSink: {expected}");
    }

    [Fact]
    public void AddLoggerNotifications_Twice_AddsOneSink()
    {
        using var services = new NotificationServices(b => b.AddLoggerNotifications().AddLoggerNotifications());

        services.Sinks.Should().ContainSingle().Which.Should().BeOfType<LoggerNotificationSink>().Which.Name.Should().Be("logger");
    }
}
