namespace IronCage.Secrets;

/// <summary>Which <c>.env</c> entry <see cref="DotEnvKeyTarget"/> writes a managed key to.</summary>
public sealed class DotEnvKeyTargetOptions
{
    /// <summary>Gets or sets the <c>.env</c> file. Required; created when missing.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>Gets or sets the managed key the entry holds. Required.</summary>
    public KeyReference Key { get; set; }

    /// <summary>Gets or sets the variable name of the entry (for example <c>OPENAI_API_KEY</c>). Required.</summary>
    public string VariableName { get; set; } = string.Empty;

    /// <summary>Gets or sets the target's name in the audit log.</summary>
    /// <value>The default value is <see langword="null"/>: <c>dotenv:&lt;path&gt;#&lt;variable&gt;</c>.</value>
    public string? Name { get; set; }
}
