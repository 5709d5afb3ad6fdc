namespace IronCage.Secrets.AwsSecretsManager;

/// <summary>Where <see cref="AwsSecretsManagerTarget"/> writes a managed key: one secret, or one field of a JSON-map secret.</summary>
public sealed class AwsSecretsManagerTargetOptions : AwsSecretsManagerOptions
{
    /// <summary>Gets or sets the managed key this target holds, as <c>provider/name</c> (<c>openai/prod</c>).</summary>
    public string Key { get; set; } = string.Empty;

    /// <summary>Gets or sets the secret's name or ARN. The secret must exist (create it with <c>aws secretsmanager create-secret</c>).</summary>
    public string SecretId { get; set; } = string.Empty;

    /// <summary>Gets or sets the field of a JSON-map secret (<c>{"OPENAI_API_KEY": "…"}</c>) that holds the key; the other fields are kept.
    /// <see langword="null"/> when the whole secret string is the key.</summary>
    public string? Field { get; set; }
}
