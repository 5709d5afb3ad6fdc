using NodaTime;

namespace IronCage.Http;

/// <summary>
/// What this process knows about the health of its keys: restrictions after a provider refused a key (a cool-down after
/// 429, a disable after 401/403 or an exhausted quota) and the provider's rate-limit headroom. The key handler reports to
/// it; the key resolver asks it before handing a key out, and a <see cref="PoolStrategy.MostHeadroom"/> pool orders its
/// keys by it. Registered with <c>TryAdd</c>: register your own before <c>AddKeyResolver</c> to share health across
/// instances or to apply your own rules.
/// </summary>
public interface IKeyHealth
{
    /// <summary>Gets a value indicating whether any key is restricted now; while <see langword="false"/>, the resolver's cache hit does not ask <see cref="GetRestriction"/>.</summary>
    bool HasRestrictions { get; }

    /// <summary>Records what a provider said about a key: it is not handed out until <paramref name="restriction"/> ends.</summary>
    /// <param name="key">The key the provider refused.</param>
    /// <param name="restriction">How long and why.</param>
    void Restrict(ResolvedKey key, KeyRestriction restriction);

    /// <summary>Gets the restriction in force for a version of a key, if any; one that ran out, or that was bound to another version, is cleared.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="versionId">The version about to be handed out.</param>
    /// <param name="now">Now.</param>
    /// <returns>The restriction, or <see langword="null"/> when the key may be used.</returns>
    KeyRestriction? GetRestriction(KeyReference key, string versionId, Instant now);

    /// <summary>Records the share of the provider's rate limit left for a key, as its last response said.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="remaining">The share left, from 0 (none) to 1 (all); values outside are clamped.</param>
    void ReportHeadroom(KeyReference key, double remaining);

    /// <summary>Gets the share of the provider's rate limit last reported for a key; 1 for a key not seen yet.</summary>
    /// <param name="key">The managed key.</param>
    /// <returns>A value from 0 to 1.</returns>
    double GetHeadroom(KeyReference key);
}
