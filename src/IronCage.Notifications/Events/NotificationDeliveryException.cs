namespace IronCage.Notifications;

/// <summary>
/// A sink could not deliver an event and has already retried as its own policy allows (or the failure is final, such
/// as a 4xx answer), so the outbox does not retry it again. The message never contains a secret or a webhook URL.
/// </summary>
public class NotificationDeliveryException : IronCageException
{
    /// <summary>Initializes a new instance.</summary>
    public NotificationDeliveryException()
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What failed and how to fix it, without secrets.</param>
    public NotificationDeliveryException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What failed and how to fix it, without secrets.</param>
    /// <param name="innerException">The cause.</param>
    public NotificationDeliveryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
