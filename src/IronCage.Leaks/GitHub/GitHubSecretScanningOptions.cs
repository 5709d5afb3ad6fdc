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

    /// <summary>Gets or sets the organisation whose alerts the poller reads (<c>GET /orgs/{org}/secret-scanning/alerts</c>).</summary>
    public string? Organization { get; set; }

    /// <summary>Gets the repositories (<c>owner/name</c>) whose alerts the poller reads (<c>GET /repos/{owner}/{repo}/secret-scanning/alerts</c>).</summary>
    public IList<string> Repositories { get; } = [];

    /// <summary>Gets or sets how often the poller reads the alerts.</summary>
    /// <value>The default value is 5 minutes.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(5);
}
