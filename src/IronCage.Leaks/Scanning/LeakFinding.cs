using IronCage.Providers;

namespace IronCage.Leaks.Scanning;

/// <summary>
/// One exposed key: which provider's shape it has, where it was, a masked hint, its keyed fingerprint and what it is
/// to IronCage. A finding never holds the value: there is no property, field or formatting that could reveal it.
/// </summary>
public sealed class LeakFinding
{
    internal LeakFinding(ProviderId provider, KeyKind kind, LeakLocation location, string hint, string fingerprint, ManagedKeyMatch match)
    {
        Provider = provider;
        Kind = kind;
        Location = location;
        Hint = hint;
        Fingerprint = fingerprint;
        Classification = match.Classification;
        ManagedKey = match.Key;
        VersionId = match.VersionId;
    }

    /// <summary>Gets the provider whose key shape the value has.</summary>
    public ProviderId Provider { get; }

    /// <summary>Gets the kind of key the shape describes.</summary>
    public KeyKind Kind { get; }

    /// <summary>Gets where the value was found.</summary>
    public LeakLocation Location { get; }

    /// <summary>Gets a masked hint of the value (<c>sk-…wxyz</c>), the same form as a key version's display hint.</summary>
    public string Hint { get; }

    /// <summary>Gets the value's keyed fingerprint (HMAC-SHA256), which identifies the same leak across reports.</summary>
    public string Fingerprint { get; }

    /// <summary>Gets what the value is to IronCage.</summary>
    public LeakClassification Classification { get; }

    /// <summary>Gets the managed key the value belongs to.</summary>
    /// <value><see langword="null"/> when <see cref="Classification"/> is <see cref="LeakClassification.Unknown"/>.</value>
    public KeyReference? ManagedKey { get; }

    /// <summary>Gets the id of the key version the value is.</summary>
    /// <value><see langword="null"/> when <see cref="Classification"/> is <see cref="LeakClassification.Unknown"/>.</value>
    public string? VersionId { get; }

    /// <inheritdoc />
    public override string ToString() => ManagedKey is { } key
        ? $"{Provider} key {Hint} ({Classification}: {key} {VersionId}) at {Location}"
        : $"{Provider} key {Hint} ({Classification}) at {Location}";
}
