namespace IronCage.Secrets;

/// <summary>A key source could not be read (a missing file, a malformed <c>.env</c> line). The message names the place and never a value.</summary>
public sealed class KeySourceException : IronCageException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and how to fix it; never a secret.</param>
    public KeySourceException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and how to fix it; never a secret.</param>
    /// <param name="innerException">The cause.</param>
    public KeySourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
