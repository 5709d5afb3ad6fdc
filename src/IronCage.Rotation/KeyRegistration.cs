using System.Collections.Frozen;
using IronCage.Providers;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>A managed key to register with its first (current) key value.</summary>
public sealed record KeyRegistration
{
    /// <summary>Gets the reference, <c>provider/name</c>.</summary>
    public required KeyReference Reference { get; init; }

    /// <summary>Gets what the key is for.</summary>
    public KeyKind Kind { get; init; } = KeyKind.Inference;

    /// <summary>Gets a description for people.</summary>
    public string? Description { get; init; }

    /// <summary>Gets labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>Gets the provider-side scope (project, workspace, AWS user, Azure endpoint, …).</summary>
    public IReadOnlyDictionary<string, string> Scope { get; init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>Gets the rotation policy.</summary>
    public RotationPolicy Policy { get; init; } = RotationPolicy.Default;

    /// <summary>Gets the usage limits.</summary>
    public UsageLimits Limits { get; init; } = UsageLimits.None;

    /// <summary>Gets the key's provider-side id (the Azure slot <c>Key1</c>/<c>Key2</c>, an Anthropic <c>apikey_…</c>), if known.</summary>
    public string? ProviderKeyId { get; init; }

    /// <summary>Gets when the provider will expire the key, if it will.</summary>
    public Instant? ExpiresAt { get; init; }

    /// <summary>Gets a value indicating whether the key is verified at the provider before it is stored.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Verify { get; init; } = true;
}
