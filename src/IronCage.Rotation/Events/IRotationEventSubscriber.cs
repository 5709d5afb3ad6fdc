namespace IronCage.Rotation;

/// <summary>Receives rotation events in process (for example to drop a cache or update a client's credential). A failing subscriber never breaks a rotation.</summary>
public interface IRotationEventSubscriber
{
    /// <summary>Handles an event.</summary>
    /// <param name="rotationEvent">The event.</param>
    /// <param name="cancellationToken">Cancels the handling.</param>
    /// <returns>A task that completes when handled.</returns>
    ValueTask OnEventAsync(RotationEvent rotationEvent, CancellationToken cancellationToken = default);
}
