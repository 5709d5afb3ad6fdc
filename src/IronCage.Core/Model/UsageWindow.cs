namespace IronCage;

/// <summary>The window a usage limit applies to; windows align to UTC calendar boundaries.</summary>
public enum UsageWindow
{
    /// <summary>One minute.</summary>
    Minute = 0,

    /// <summary>One hour.</summary>
    Hour = 1,

    /// <summary>One UTC day.</summary>
    Day = 2,

    /// <summary>One UTC calendar month.</summary>
    Month = 3,
}
