namespace IronCage.Secrets;

/// <summary>A fixed set of environment variables (for tests, or a host that collected them itself). Names are case-sensitive, as on Linux.</summary>
public sealed class DictionaryEnvironmentVariables : IEnvironmentVariables
{
    private readonly Dictionary<string, string> _variables;

    /// <summary>Creates the set.</summary>
    /// <param name="variables">The variables.</param>
    public DictionaryEnvironmentVariables(IEnumerable<KeyValuePair<string, string>> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        _variables = new Dictionary<string, string>(variables, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public IEnumerable<string> Names => _variables.Keys;

    /// <inheritdoc />
    public string? GetValue(string name) => _variables.GetValueOrDefault(name);

    /// <summary>Returns the names, never the values.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => $"{_variables.Count} variables";
}
