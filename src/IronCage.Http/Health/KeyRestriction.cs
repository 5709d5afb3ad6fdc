using NodaTime;

namespace IronCage.Http;

/// <summary>A reason this process does not use a key for a while: a cool-down after 429, a disable after 401/403 or an exhausted quota.</summary>
/// <param name="Reason">Why.</param>
/// <param name="Detail">What the provider said, in words (never a secret).</param>
/// <param name="Until">When it ends; <see langword="null"/> for "until the key changes".</param>
/// <param name="VersionId">The version it applies to, so a new version lifts it; <see langword="null"/> for any version.</param>
public sealed record KeyRestriction(KeySkipReason Reason, string Detail, Instant? Until, string? VersionId)
{
    /// <summary>Gets the skip a resolver reports for a key under this restriction.</summary>
    /// <param name="key">The managed key.</param>
    /// <returns>The skip, with the same reason, detail and end.</returns>
    public KeySkip ToSkip(KeyReference key) => new(key, Reason, Detail, Until);
}
