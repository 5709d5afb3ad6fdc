using IronCage.Providers;
using NodaTime;

namespace IronCage.Testing;

/// <summary>A key as the fake provider holds it (a snapshot; the secret is represented by its hint only).</summary>
/// <param name="ProviderKeyId">The key's id at the fake provider.</param>
/// <param name="Name">The name it was created with.</param>
/// <param name="Status">Its state.</param>
/// <param name="DisplayHint">Its secret's display hint.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="ExpiresAt">When it expires, if it does.</param>
public sealed record FakeProviderKey(string ProviderKeyId, string? Name, ProviderKeyStatus Status, string DisplayHint, Instant CreatedAt, Instant? ExpiresAt);
