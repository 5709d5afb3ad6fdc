namespace IronCage.Secrets;

/// <summary>Where and how <see cref="WebhookKeyTarget"/> delivers rotated keys.</summary>
public sealed class WebhookKeyTargetOptions
{
    /// <summary>Gets or sets the receiver: an absolute <c>https</c> URL (<c>http</c> only to a loopback address, with
    /// <see cref="AllowHttpLoopback"/>). Required. Redirects are never followed, so the key goes to this origin only.</summary>
    public Uri? Url { get; set; }

    /// <summary>Gets or sets the shared secret every delivery is signed with (HMAC-SHA256, the Notifications webhook's
    /// scheme: see <c>IronCage.Notifications.WebhookSignature</c>). Required; at least 16 characters. Never logged.</summary>
    public string? Secret { get; set; }

    /// <summary>Gets the managed keys the receiver holds a copy of. Required: at least one.</summary>
    public IList<KeyReference> Keys { get; } = [];

    /// <summary>Gets or sets a value indicating whether <see cref="Url"/> may be plain <c>http</c> when its host is a
    /// loopback address (<c>127.0.0.1</c>, <c>::1</c>, <c>localhost</c>): a sidecar on the same machine or a test.</summary>
    /// <value>The default value is <see langword="false"/>: the key only travels over TLS.</value>
    public bool AllowHttpLoopback { get; set; }

    /// <summary>Gets or sets how many times a delivery is retried after a transient failure (5xx, 408, 429, a network
    /// error or a timeout); other answers are never retried.</summary>
    /// <value>The default value is 3 (<see cref="WebhookKeyTargetConstants.DefaultMaxRetries"/>).</value>
    public int MaxRetries { get; set; } = WebhookKeyTargetConstants.DefaultMaxRetries;

    /// <summary>Gets or sets the delay before the first retry; each next retry waits twice as long.</summary>
    /// <value>The default value is 1 second (<see cref="WebhookKeyTargetConstants.DefaultRetryDelay"/>).</value>
    public TimeSpan RetryDelay { get; set; } = WebhookKeyTargetConstants.DefaultRetryDelay;

    /// <summary>Gets or sets the timeout of one attempt.</summary>
    /// <value>The default value is 10 seconds (<see cref="WebhookKeyTargetConstants.DefaultTimeout"/>).</value>
    public TimeSpan Timeout { get; set; } = WebhookKeyTargetConstants.DefaultTimeout;

    /// <summary>Gets or sets the target's name in the audit log.</summary>
    /// <value>The default value is <see langword="null"/>: <c>webhook:&lt;origin&gt;</c>.</value>
    public string? Name { get; set; }
}
