namespace IronCage.Leaks.Scanning;

/// <summary>A scan could not run: git is missing, a path is not a repository, or a report cannot be read.</summary>
public sealed class LeakScanException : IronCageException
{
    /// <summary>Creates the exception.</summary>
    public LeakScanException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed and how to fix it.</param>
    public LeakScanException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What failed and how to fix it.</param>
    /// <param name="innerException">The cause.</param>
    public LeakScanException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
