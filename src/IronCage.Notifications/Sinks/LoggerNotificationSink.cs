using Microsoft.Extensions.Logging;

namespace IronCage.Notifications;

/// <summary>
/// Writes every event to <see cref="ILogger"/> (category <c>IronCage.Notifications.LoggerNotificationSink</c>, event
/// ids 5000 and 5001) at a level from its <see cref="NotificationEvent.Severity"/>: Information, Warning or Critical.
/// </summary>
/// <remarks>Events never carry secrets, so the log holds key references, version ids and hints only.</remarks>
public sealed class LoggerNotificationSink : INotificationSink
{
    private readonly ILogger<LoggerNotificationSink> _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="logger">The logger events are written to.</param>
    public LoggerNotificationSink(ILogger<LoggerNotificationSink> logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
    }

    /// <inheritdoc />
    public string Name => "logger";

    /// <summary>Gets the log level an event is written at.</summary>
    /// <param name="severity">The event's severity.</param>
    /// <returns>Information for <see cref="EventSeverity.Info"/>, Warning for <see cref="EventSeverity.Warning"/>, Critical for <see cref="EventSeverity.Critical"/>.</returns>
    internal static LogLevel LevelOf(EventSeverity severity) => severity switch
    {
        EventSeverity.Critical => LogLevel.Critical,
        EventSeverity.Warning => LogLevel.Warning,
        _ => LogLevel.Information,
    };

    /// <inheritdoc />
    public ValueTask SendAsync(NotificationEvent notificationEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notificationEvent);
        var level = LevelOf(notificationEvent.Severity);
        if (!_logger.IsEnabled(level))
        {
            return ValueTask.CompletedTask;
        }

        // Describe() runs only when the level is enabled (checked above); the analyzer cannot see that for a variable level.
#pragma warning disable CA1873
        if (notificationEvent.OperationId is { } operationId)
        {
            Log.NotificationEvent(_logger, level, notificationEvent.Type, notificationEvent.Key, operationId, notificationEvent.Describe());
        }
        else
        {
            Log.NotificationEvent(_logger, level, notificationEvent.Type, notificationEvent.Key, notificationEvent.Describe());
        }
#pragma warning restore CA1873

        return ValueTask.CompletedTask;
    }
}
