namespace IronCage.Secrets.AwsSecretsManager;

/// <summary>Which secrets <see cref="AwsSecretsManagerSource"/> reads.</summary>
public sealed class AwsSecretsManagerSourceOptions : AwsSecretsManagerOptions
{
    /// <summary>Gets the names or ARNs of secrets to read; when empty, every secret that <see cref="NamePrefix"/> and <see cref="Tags"/> select is read.</summary>
    public IList<string> SecretIds { get; } = [];

    /// <summary>Gets or sets the prefix a secret's name must start with (the service's <c>name</c> filter), or <see langword="null"/>.</summary>
    public string? NamePrefix { get; set; }

    /// <summary>Gets the tags a secret must carry, each with the given value (an empty value matches any).</summary>
    public IDictionary<string, string> Tags { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
