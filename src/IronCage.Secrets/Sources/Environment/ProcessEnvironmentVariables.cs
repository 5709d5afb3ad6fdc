using System.Collections;

namespace IronCage.Secrets;

/// <summary>The current process's environment variables.</summary>
public sealed class ProcessEnvironmentVariables : IEnvironmentVariables
{
    private ProcessEnvironmentVariables()
    {
    }

    /// <summary>Gets the process environment.</summary>
    public static ProcessEnvironmentVariables Instance { get; } = new();

    /// <inheritdoc />
    public IEnumerable<string> Names
    {
        get
        {
            foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            {
                if (entry.Key is string name)
                {
                    yield return name;
                }
            }
        }
    }

    /// <inheritdoc />
    public string? GetValue(string name) => Environment.GetEnvironmentVariable(name);
}
