using NodaTime;

namespace IronCage.Storage;

/// <summary>
/// One page of managed keys for <see cref="IKeyStore.ListPageAsync"/>: the filters an operator list offers (provider,
/// label, stage, overdue) and the page, in reference order. Every filter that is set must match.
/// </summary>
public sealed record KeyListQuery
{
    /// <summary>Gets only this provider's keys, or every provider's when <see langword="null"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public ProviderId? Provider { get; init; }

    /// <summary>Gets only keys that carry this label, or any when <see langword="null"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? LabelName { get; init; }

    /// <summary>Gets only keys whose <see cref="LabelName"/> label has this value, or any value when <see langword="null"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? LabelValue { get; init; }

    /// <summary>Gets only keys with at least one version in this stage, or any when <see langword="null"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public KeyStage? Stage { get; init; }

    /// <summary>
    /// Gets only keys that are overdue at <see cref="AsOf"/> (<see langword="true"/>: their <see cref="ManagedKey.NextDueAt"/>
    /// has passed), only those that are not (<see langword="false"/>), or both (<see langword="null"/>).
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public bool? Overdue { get; init; }

    /// <summary>Gets the instant <see cref="Overdue"/> is decided at (usually now).</summary>
    /// <value>The default value is the Unix epoch; set it whenever <see cref="Overdue"/> is set.</value>
    public Instant AsOf { get; init; }

    /// <summary>Gets how many matching keys to skip (page number × page size).</summary>
    /// <value>The default value is 0.</value>
    public int Offset { get; init; }

    /// <summary>Gets the most keys to return (1 to 1,000).</summary>
    /// <value>The default value is 50.</value>
    public int Limit { get; init; } = 50;

    /// <summary>Checks the paging values.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="Offset"/> is negative or <see cref="Limit"/> is outside 1 to 1,000.</exception>
    /// <exception cref="ArgumentException"><see cref="LabelValue"/> is set without <see cref="LabelName"/>.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(Limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Limit, 1_000);
        if (LabelValue is not null && LabelName is null)
        {
            throw new ArgumentException("KeyListQuery.LabelValue needs LabelName: say which label should have the value.", nameof(LabelValue));
        }
    }

    /// <summary>Returns whether <paramref name="key"/> passes every filter that is set (paging aside).</summary>
    /// <param name="key">The managed key.</param>
    /// <returns><see langword="true"/> when it matches.</returns>
    public bool Matches(ManagedKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return (Provider is not { } provider || key.Provider == provider)
            && (LabelName is null || (key.Labels.TryGetValue(LabelName, out var value) && (LabelValue is null || string.Equals(value, LabelValue, StringComparison.Ordinal))))
            && (Stage is not { } stage || key.Versions.Any(v => v.Stage == stage))
            && (Overdue is not { } overdue || IsOverdue(key, AsOf) == overdue);
    }

    /// <summary>Returns whether <paramref name="key"/> is overdue at <paramref name="now"/>: it has scheduled work (<see cref="ManagedKey.NextDueAt"/>, not <see cref="ManagedKeyDue.Never"/>) that is due.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="now">The instant to decide at.</param>
    /// <returns><see langword="true"/> when overdue.</returns>
    public static bool IsOverdue(ManagedKey key, Instant now)
    {
        ArgumentNullException.ThrowIfNull(key);

        // A store keeps Never at its own precision, so anything in year 9999 means never.
        return key.NextDueAt is { } due && due != ManagedKeyDue.Never && due.InUtc().Year < 9999 && due <= now;
    }
}
