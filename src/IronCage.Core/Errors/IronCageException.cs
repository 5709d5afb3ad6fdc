namespace IronCage;

/// <summary>The base of every exception IronCage throws on purpose. Messages say how to fix the problem and never contain a secret.</summary>
public class IronCageException : Exception
{
    /// <summary>Initializes a new instance with a default message.</summary>
    public IronCageException()
        : base("An IronCage operation failed.")
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What went wrong and how to fix it; never a secret.</param>
    public IronCageException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance.</summary>
    /// <param name="message">What went wrong and how to fix it; never a secret.</param>
    /// <param name="innerException">The underlying failure.</param>
    public IronCageException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
