using NodaTime;

namespace IronCage.Providers;

/// <summary>What to generate (<see cref="IKeyGeneratingProviderAdapter"/>).</summary>
public sealed record GenerateProviderKeyRequest
{
    /// <summary>Gets the managed key the new key is for.</summary>
    public required ProviderKeyContext Context { get; init; }

    /// <summary>
    /// Gets the longest the key may live (the rotation policy's <see cref="RotationPolicy.KeyLifetime"/>); the adapter
    /// applies its own, shorter maximum and never goes past the signing credentials' expiry.
    /// </summary>
    /// <value><see langword="null"/> uses the adapter's configured lifetime.</value>
    public Duration? Lifetime { get; init; }
}
