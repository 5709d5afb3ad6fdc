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

    /// <summary>
    /// Gets or sets whether revoking the previous key after the grace period waits for adoption: until every live host
    /// instance (one that sent a heartbeat within <see cref="InstanceTimeout"/>) serves the new version, nothing is in
    /// flight on the old one and every <see cref="IKeyAdoptionReporter"/> says it moved. The wait lasts at least
    /// <see cref="AdoptionFloor"/> and at most the grace period (the ceiling): the old key is never kept past it.
    /// </summary>
    /// <value>The default value is <see langword="false"/>: the previous key is revoked when the grace period ends. <c>WaitForKeyAdoption()</c> turns it on.</value>
    /// <remarks>Host instances report through <c>IInstanceHeartbeatStore</c> (<c>AddInstanceHeartbeat()</c> in IronCage.Http). Emergencies have no grace period and never wait.</remarks>
    public bool WaitForAdoption { get; set; }

    /// <summary>Gets or sets the shortest time after promotion before an adopted old key is revoked (the floor), so late readers of a cache or a target still get a moment. Capped by the grace period.</summary>
    /// <value>The default value is 5 minutes.</value>
    public Duration AdoptionFloor { get; set; } = Duration.FromMinutes(5);

    /// <summary>Gets or sets how long after its last heartbeat a host instance still counts as live; one that stops heartbeating (killed without saying goodbye) drops out after it.</summary>
    /// <value>The default value is 2 minutes.</value>
    public Duration InstanceTimeout { get; set; } = Duration.FromMinutes(2);

    /// <summary>Gets or sets how often a rotation waiting for adoption looks at the heartbeats again.</summary>
    /// <value>The default value is 30 seconds.</value>
    public Duration AdoptionCheckInterval { get; set; } = Duration.FromSeconds(30);

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
