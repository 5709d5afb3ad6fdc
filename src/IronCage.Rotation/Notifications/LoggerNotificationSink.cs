using Microsoft.Extensions.Logging;

namespace IronCage.Rotation;

/// <summary>
/// Writes every rotation event to <see cref="ILogger"/> (category <c>IronCage.Rotation.LoggerNotificationSink</c>, event
/// ids 1100 and 1101) at a level from its <see cref="RotationEvent.Severity"/>: Information, Warning or Critical.
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
    public ValueTask SendAsync(RotationEvent rotationEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rotationEvent);
        var level = LevelOf(rotationEvent.Severity);
        if (!_logger.IsEnabled(level))
        {
            return ValueTask.CompletedTask;
        }

        // Describe() runs only when the level is enabled (checked above); the analyzer cannot see that for a variable level.
#pragma warning disable CA1873
        if (rotationEvent.OperationId is { } operationId)
        {
            Log.NotificationEvent(_logger, level, rotationEvent.Type, rotationEvent.Key, operationId, rotationEvent.Describe());
        }
        else
        {
            Log.NotificationEvent(_logger, level, rotationEvent.Type, rotationEvent.Key, rotationEvent.Describe());
        }
#pragma warning restore CA1873

        return ValueTask.CompletedTask;
    }
}
