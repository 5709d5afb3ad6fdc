using IronCage.Providers;

namespace IronCage.Secrets;

/// <summary>How <see cref="IKeyImporter.ImportAsync"/> imports.</summary>
public sealed class KeyImportOptions
{
    /// <summary>Gets or sets a value indicating whether to only report: detect, validate, verify and check for
    /// duplicates, but register nothing.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool DryRun { get; set; }

    /// <summary>Gets or sets a value indicating whether every key is verified at its provider before it is imported.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Verify { get; set; } = true;

    /// <summary>
    /// Gets or sets the managed key name for a candidate of a provider. Return a valid name (letters, digits, '-', '_',
    /// '.'); the reference is <c>&lt;provider&gt;/&lt;name&gt;</c>.
    /// </summary>
    /// <value>
    /// The default value is <see langword="null"/>: the name derived from the variable or file name, lower case with
    /// '_' as '-' (<c>OPENAI_API_KEY</c> → <c>openai/openai-api-key</c>), or <c>imported-</c> and part of the
    /// fingerprint when the candidate has no name.
    /// </value>
    public Func<KeyCandidate, ProviderId, string>? NameKey { get; set; }

    /// <summary>
    /// Gets or sets extra scope entries for a candidate of a provider (the OpenAI adapter's <c>project_id</c>, Azure's
    /// <c>endpoint</c>…), for sources that do not carry them next to the key. Entries returned here replace those
    /// detected from companion variables (<c>OPENAI_PROJECT_ID</c>, <c>AZURE_OPENAI_ENDPOINT</c>, <c>AWS_REGION</c>).
    /// </summary>
    /// <value>The default value is <see langword="null"/>: only the detected entries.</value>
    public Func<KeyCandidate, ProviderId, IReadOnlyDictionary<string, string>?>? Scope { get; set; }

    /// <summary>Gets the labels every imported key gets (besides <c>import-source</c>, the source's name).</summary>
    public IDictionary<string, string> Labels { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets or sets the rotation policy of every imported key.</summary>
    /// <value>The default value is <see cref="RotationPolicy.Default"/> (rotate on demand only).</value>
    public RotationPolicy Policy { get; set; } = RotationPolicy.Default;

    /// <summary>Gets or sets who imports, for the audit log.</summary>
    /// <value>The default value is <c>import</c>.</value>
    public string Actor { get; set; } = "import";
}
