namespace IronCage.Leaks.GitHub;

/// <summary>Options of the GitHub secret scanning source.</summary>
public sealed class GitHubSecretScanningOptions
{
    /// <summary>Gets or sets the webhook secret GitHub signs deliveries with (<c>X-Hub-Signature-256</c>).</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>
    /// Gets or sets the token used to read an alert's secret from the REST API (the webhook payload does not carry it):
    /// a fine-grained token or GitHub App with the read-only "Secret scanning alerts" permission.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>Gets or sets the REST API's base address.</summary>
    /// <value>The default value is <c>https://api.github.com/</c>; GitHub Enterprise Server uses <c>https://HOST/api/v3/</c>.</value>
    public Uri BaseAddress { get; set; } = new("https://api.github.com/");
}
