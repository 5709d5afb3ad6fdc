using NodaTime;

namespace IronCage.Providers;

/// <summary>What to create at the provider.</summary>
public sealed record CreateProviderKeyRequest
{
    /// <summary>Gets the managed key the new key is for.</summary>
    public required ProviderKeyContext Context { get; init; }

    /// <summary>
    /// Gets the name to give the key at the provider. IronCage makes it unique per attempt, so after an ambiguous
    /// failure the adapter can list keys and find what it created instead of creating another.
    /// </summary>
    public required string Name { get; init; }

    /// <summary>Gets when the key should expire at the provider, if the policy sets an expiry and the provider supports one.</summary>
    public Instant? ExpiresAt { get; init; }

    /// <summary>Gets the limits to set at the provider where it supports them (OpenRouter spend limits).</summary>
    public UsageLimits? Limits { get; init; }
}
