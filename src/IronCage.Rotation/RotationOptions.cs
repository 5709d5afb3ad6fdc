using NodaTime;

namespace IronCage.Rotation;

/// <summary>How the rotation engine retries and gives up.</summary>
public sealed class RotationOptions
{
    /// <summary>Gets or sets how many times a failing step is retried at once (transient errors only) before it is deferred.</summary>
    /// <value>The default value is 2.</value>
    public int ImmediateRetries { get; set; } = 2;

    /// <summary>Gets or sets the pause between immediate retries (a provider's retry-after wins when longer, up to <see cref="MaxRetryDelay"/>).</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest pause between immediate retries.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how many rounds a failing step is deferred and retried (by the scheduler or <see cref="IKeyRotator.ResumeAsync"/>)
    /// before the rotation gives up: rolled back before promotion, <see cref="RotationStep.RevocationFailed"/> after.
    /// </summary>
    /// <value>The default value is 5.</value>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Gets or sets the first deferral after a failed round; it doubles each round up to <see cref="MaxBackoff"/>.</summary>
    /// <value>The default value is 1 minute.</value>
    public Duration Backoff { get; set; } = Duration.FromMinutes(1);

    /// <summary>Gets or sets the longest deferral.</summary>
    /// <value>The default value is 1 hour.</value>
    public Duration MaxBackoff { get; set; } = Duration.FromHours(1);

    /// <summary>
    /// Gets or sets how many rounds a new key that the provider does not accept yet is verified again before the rotation
    /// is rolled back (new keys can take a moment to propagate, xAI says so explicitly).
    /// </summary>
    /// <value>The default value is 3.</value>
    public int VerifyPropagationAttempts { get; set; } = 3;

    /// <summary>The deferral after the <paramref name="attempt"/>-th failed round: <see cref="Backoff"/>, doubled each round, at most <see cref="MaxBackoff"/>.</summary>
    internal Duration BackoffFor(int attempt)
    {
        var delay = Backoff;
        for (var round = 1; round < attempt && delay < MaxBackoff; round++)
        {
            delay += delay;
        }

        return delay < MaxBackoff ? delay : MaxBackoff;
    }

    /// <summary>Called after each step is persisted; tests use it to simulate a crash between steps.</summary>
    internal Func<RotationOperation, CancellationToken, ValueTask>? AfterStep { get; set; }
}
