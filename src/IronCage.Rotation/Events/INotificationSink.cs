namespace IronCage.Rotation;

/// <summary>Delivers rotation events to people or systems outside the process (a log, a webhook, Slack). A failing sink never breaks a rotation.</summary>
public interface INotificationSink
{
    /// <summary>Gets the sink's name, for logs.</summary>
    string Name { get; }

    /// <summary>Delivers an event.</summary>
    /// <param name="rotationEvent">The event.</param>
    /// <param name="cancellationToken">Cancels the delivery.</param>
    /// <returns>A task that completes when delivered (or given up on).</returns>
    ValueTask SendAsync(RotationEvent rotationEvent, CancellationToken cancellationToken = default);
}
