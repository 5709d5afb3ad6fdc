using System.Collections.Frozen;
using NodaTime;
using IronCage.Internal;

namespace IronCage.Providers;

/// <summary>A key the provider just created or regenerated, with its secret (shown once by most providers). Dispose it to zero the secret.</summary>
public sealed class CreatedProviderKey : IDisposable
{
    /// <summary>Creates the result.</summary>
    /// <param name="providerKeyId">The provider's id for the key (or the slot name).</param>
    /// <param name="secret">The secret; this object takes ownership.</param>
    public CreatedProviderKey(string providerKeyId, SecretValue secret)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(providerKeyId);
        ArgumentNullException.ThrowIfNull(secret);
        ProviderKeyId = providerKeyId;
        Secret = secret;
    }

    /// <summary>Gets the provider's id for the key.</summary>
    public string ProviderKeyId { get; }

    /// <summary>Gets the secret.</summary>
    public SecretValue Secret { get; }

    /// <summary>Gets the name the provider recorded.</summary>
    public string? Name { get; init; }

    /// <summary>Gets when the provider will expire the key, if it will.</summary>
    public Instant? ExpiresAt { get; init; }

    /// <summary>Gets provider-specific facts (service-account id, slot, ...).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init => field = Frozen.Map(value); } = FrozenDictionary<string, string>.Empty;

    /// <summary>Zeroes the secret.</summary>
    public void Dispose() => Secret.Dispose();

    /// <inheritdoc />
    public override string ToString() => $"{ProviderKeyId} ({Secret.DisplayHint})";
}
