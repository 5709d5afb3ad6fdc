namespace IronCage.Notifications;

/// <summary>Which event the outbox drops when a sink's queue is full (<see cref="NotificationOutboxOptions.FullMode"/>).</summary>
public enum NotificationQueueFullMode
{
    /// <summary>Drop the oldest queued event to make room for the new one: a sink that comes back hears the latest news first.</summary>
    DropOldest = 0,

    /// <summary>Drop the new event and keep the queue as it is: a sink that comes back hears events in the order they happened, up to the gap.</summary>
    DropNewest = 1,
}
