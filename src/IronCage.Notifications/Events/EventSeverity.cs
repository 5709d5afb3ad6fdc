namespace IronCage.Notifications;

/// <summary>How urgent an event is for the people who receive it.</summary>
public enum EventSeverity
{
    /// <summary>For the record.</summary>
    Info = 0,

    /// <summary>Someone should look soon.</summary>
    Warning = 1,

    /// <summary>Someone must act now.</summary>
    Critical = 2,
}
