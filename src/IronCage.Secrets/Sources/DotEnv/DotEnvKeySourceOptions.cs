namespace IronCage.Secrets;

/// <summary>How <see cref="DotEnvKeySource"/> reads a <c>.env</c> file.</summary>
public sealed class DotEnvKeySourceOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether <c>${NAME}</c> in unquoted and double-quoted values is replaced by the
    /// value of an earlier entry of the file (or, failing that, of the <see cref="Environment"/>). Single-quoted values
    /// and <c>\$</c> are never expanded.
    /// </summary>
    /// <value>The default value is <see langword="false"/>: a key is read exactly as written.</value>
    public bool ExpandVariables { get; set; }

    /// <summary>Gets or sets the variables <c>${NAME}</c> falls back to when <see cref="ExpandVariables"/> is on.</summary>
    /// <value>The default value is <see langword="null"/>: only the file's own entries are used.</value>
    public IEnvironmentVariables? Environment { get; set; }
}
