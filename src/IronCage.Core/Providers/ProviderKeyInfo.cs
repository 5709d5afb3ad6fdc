using System.Collections.Frozen;
using NodaTime;
using IronCage.Internal;

namespace IronCage.Providers;

/// <summary>What a provider tells about one of its keys (never the secret).</summary>
public sealed record ProviderKeyInfo
{
    /// <summary>Gets the provider's id for the key.</summary>
    public required string ProviderKeyId { get; init; }

    /// <summary>Gets the key's name at the provider.</summary>
    public string? Name { get; init; }

    /// <summary>Gets the provider's redacted form of the key (<c>redacted_value</c>, <c>partial_key_hint</c>, <c>label</c>).</summary>
    public string? DisplayHint { get; init; }

    /// <summary>Gets the key's state.</summary>
    public ProviderKeyStatus Status { get; init; }

    /// <summary>Gets when the key was created.</summary>
    public Instant? CreatedAt { get; init; }

    /// <summary>Gets when the key expires, if it does.</summary>
    public Instant? ExpiresAt { get; init; }

    /// <summary>Gets when the key was last used, if the provider says.</summary>
    public Instant? LastUsedAt { get; init; }

    /// <summary>Gets provider-specific facts.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init => field = Frozen.Map(value); } = FrozenDictionary<string, string>.Empty;
}
