namespace IronCage.Secrets;

/// <summary>
/// Reads environment variables. The environment sources read through it, so a test or a host can hand them a set of
/// variables without touching the process environment.
/// </summary>
public interface IEnvironmentVariables
{
    /// <summary>Gets the names of every variable.</summary>
    IEnumerable<string> Names { get; }

    /// <summary>Returns a variable's value.</summary>
    /// <param name="name">The variable name.</param>
    /// <returns>The value, or <see langword="null"/> when the variable is not set.</returns>
    string? GetValue(string name);
}
