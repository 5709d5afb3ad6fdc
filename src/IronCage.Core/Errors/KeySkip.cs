using NodaTime;

namespace IronCage;

/// <summary>One key the runtime path passed over, and why.</summary>
/// <param name="Key">The managed key.</param>
/// <param name="Reason">Why it was skipped.</param>
/// <param name="Detail">A sentence for people, without secrets.</param>
/// <param name="Until">When the key may be usable again, if known (end of a cool-down or a limit window).</param>
public sealed record KeySkip(KeyReference Key, KeySkipReason Reason, string Detail, Instant? Until = null)
{
    /// <inheritdoc />
    public override string ToString() => Until is { } until ? $"{Key}: {Reason} until {until} ({Detail})" : $"{Key}: {Reason} ({Detail})";
}
