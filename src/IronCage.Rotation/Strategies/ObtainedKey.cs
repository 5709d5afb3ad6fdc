using IronCage.Providers;
using NodaTime;

namespace IronCage.Rotation;

/// <summary>A new key a strategy obtained, held in memory only until the engine has sealed it.</summary>
internal sealed class ObtainedKey : IDisposable
{
    private readonly IDisposable? _owner;

    public ObtainedKey(SecretValue secret, string? providerKeyId, Instant? expiresAt, string? slot, IDisposable? owner)
    {
        Secret = secret;
        ProviderKeyId = providerKeyId;
        ExpiresAt = expiresAt;
        Slot = slot;
        _owner = owner;
    }

    public SecretValue Secret { get; }

    public string? ProviderKeyId { get; }

    public Instant? ExpiresAt { get; }

    public string? Slot { get; }

    public static ObtainedKey Created(CreatedProviderKey created, string? slot) => new(created.Secret, created.ProviderKeyId, created.ExpiresAt, slot, created);

    public void Dispose() => _owner?.Dispose();
}
