namespace IronCage.Secrets;

/// <summary>Where <see cref="FileKeyTarget"/> writes a managed key.</summary>
public sealed class FileKeyTargetOptions
{
    /// <summary>Gets or sets the file that holds the key's value and nothing else (a Docker secret, a file a
    /// <c>_FILE</c> variable names). Required.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>Gets or sets the managed key the file holds. Required.</summary>
    public KeyReference Key { get; set; }

    /// <summary>Gets or sets the target's name in the audit log.</summary>
    /// <value>The default value is <see langword="null"/>: <c>file:&lt;path&gt;</c>.</value>
    public string? Name { get; set; }
}
