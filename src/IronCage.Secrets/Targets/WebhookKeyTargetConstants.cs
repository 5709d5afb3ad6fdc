namespace IronCage.Secrets;

/// <summary>Defaults and header names of <see cref="WebhookKeyTarget"/>.</summary>
public static class WebhookKeyTargetConstants
{
    /// <summary>The default number of retries after a transient failure.</summary>
    public const int DefaultMaxRetries = 3;

    /// <summary>The header with the delivery's idempotency key: <c>&lt;operation id&gt;:&lt;version id&gt;</c>
    /// (<c>:restore</c> appended for a rollback). A receiver that has applied a key already answers 2xx again.</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>The header a receiver may answer with, <c>true</c>, when it already held the value.</summary>
    public const string AlreadyCurrentHeader = "X-IronCage-Already-Current";

    /// <summary>The header a receiver may answer with to name its own version of what it wrote (recorded in the audit log).</summary>
    public const string TargetVersionHeader = "X-IronCage-Target-Version";

    /// <summary>The name of the HTTP client <see cref="WebhookKeyTarget"/> uses when registered with the builder.</summary>
    public const string HttpClientName = "IronCage.Secrets.Webhook";

    /// <summary>The smallest signing secret accepted.</summary>
    public const int MinSecretLength = 16;

    /// <summary>Gets the default delay before the first retry.</summary>
    public static TimeSpan DefaultRetryDelay { get; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the default timeout of one attempt.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(10);
}
