using IronCage.Providers;
using NodaTime;

namespace IronCage.Http;

/// <summary>
/// The current version of a managed key, decrypted and ready to put on a request. Its <see cref="Secret"/> lives only
/// in memory; <see cref="ToString"/> shows the display hint.
/// </summary>
public sealed class ResolvedKey
{
    /// <summary>Creates a resolved key; a host's own <see cref="IKeyResolver"/> makes these for the keys it hands out.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="versionId">The version that is current.</param>
    /// <param name="displayHint">The display hint of the version (never the secret).</param>
    /// <param name="provider">The provider, with the auth scheme its requests use.</param>
    /// <param name="secret">The secret; the resolver that made this object owns it and disposes it once the key is replaced.</param>
    /// <param name="expiresAt">When the version expires at the provider, if it does.</param>
    public ResolvedKey(KeyReference key, string versionId, string displayHint, ProviderDescriptor provider, SecretValue secret, Instant? expiresAt = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(versionId);
        ArgumentNullException.ThrowIfNull(displayHint);
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(secret);
        Key = key;
        VersionId = versionId;
        DisplayHint = displayHint;
        Provider = provider;
        Secret = secret;
        ExpiresAt = expiresAt;
    }

    /// <summary>Gets the managed key.</summary>
    public KeyReference Key { get; }

    /// <summary>Gets the version that is current.</summary>
    public string VersionId { get; }

    /// <summary>Gets the display hint of the version (<c>sk-...wxyz</c>).</summary>
    public string DisplayHint { get; }

    /// <summary>Gets the provider, with the auth scheme its requests use.</summary>
    public ProviderDescriptor Provider { get; }

    /// <summary>Gets the secret. Do not dispose it: the resolver owns it and disposes it some time after the key has been replaced.</summary>
    public SecretValue Secret { get; }

    /// <summary>Gets when the version expires at the provider, if it does.</summary>
    public Instant? ExpiresAt { get; }

    /// <summary>Puts the key on a request with the provider's auth scheme (<c>Authorization: Bearer</c>, <c>x-api-key</c>, <c>api-key</c>, <c>x-goog-api-key</c> or <c>?key=</c>).</summary>
    /// <param name="request">The request.</param>
    /// <param name="overwrite">Whether to replace a key the caller already set on the request.</param>
    public void ApplyTo(HttpRequestMessage request, bool overwrite = false) => Provider.Auth.Apply(request, Secret, overwrite);

    // The revealed value and the Authorization header built from it, made once per version rather than once per
    // request. They live exactly as long as this object, which already holds the secret for as long.
    private string? _revealed;
    private System.Net.Http.Headers.AuthenticationHeaderValue? _bearer;

    // This version's request counters, attached by the instance heartbeat's tracker on first use (null without it).
    internal KeyVersionActivity? Activity { get; set; }

    internal string RevealCached() => _revealed ??= Secret.Reveal();

    internal System.Net.Http.Headers.AuthenticationHeaderValue BearerHeader() => _bearer ??= new("Bearer", RevealCached());

    /// <inheritdoc />
    public override string ToString() => $"{Key} {VersionId} ({DisplayHint})";
}
