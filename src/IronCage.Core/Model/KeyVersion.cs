using System.Collections.Frozen;
using IronCage.Encryption;
using IronCage.Internal;
using IronCage.Providers;
using NodaTime;

namespace IronCage;

/// <summary>
/// One concrete secret of a managed key: its provider-side id, stage, instants, display hint, fingerprint and the
/// encrypted secret. Never the plaintext.
/// </summary>
public sealed record KeyVersion
{
    /// <summary>Gets IronCage's id of this version, unique within its managed key (see <see cref="NewVersionId"/>).</summary>
    public required string VersionId { get; init; }

    /// <summary>Gets the provider's id for this key (OpenAI key id, Anthropic <c>apikey_…</c>, Azure slot name, ...), if the provider has one.</summary>
    public string? ProviderKeyId { get; init; }

    /// <summary>Gets the version's stage.</summary>
    public required KeyStage Stage { get; init; }

    /// <summary>Gets when the version was created.</summary>
    public required Instant CreatedAt { get; init; }

    /// <summary>Gets when the version became current, if it did.</summary>
    public Instant? ActivatedAt { get; init; }

    /// <summary>Gets when the provider will expire the key, if it has an expiry.</summary>
    public Instant? ExpiresAt { get; init; }

    /// <summary>Gets when the version was revoked, if it was.</summary>
    public Instant? RevokedAt { get; init; }

    /// <summary>
    /// Gets when the version was killed locally: a killed version is never served again, even where the provider
    /// cannot revoke it by API (the kill switch). <see langword="null"/> when it was not killed.
    /// </summary>
    public Instant? KilledAt { get; init; }

    /// <summary>Gets a value indicating whether the version may be handed to requests: Current or Previous (in grace), and not killed.</summary>
    public bool IsServable => KilledAt is null && Stage is (KeyStage.Current or KeyStage.Previous);

    /// <summary>Gets when the version was last used, as far as IronCage knows.</summary>
    public Instant? LastUsedAt { get; init; }

    /// <summary>Gets the display hint, such as <c>sk-…wxyz</c> (see <see cref="SecretValue.DisplayHint"/>).</summary>
    public required string DisplayHint { get; init; }

    /// <summary>Gets the keyed fingerprint used to recognise this key in leaked text (see <see cref="ISecretFingerprinter"/>).</summary>
    public required string Fingerprint { get; init; }

    /// <summary>Gets the encrypted secret.</summary>
    public required EncryptedSecret Secret { get; init; }

    /// <summary>
    /// Gets the fixed provider slot that holds this key (Azure <c>Key1</c> or <c>Key2</c>, see
    /// <see cref="ProviderDescriptor.KeySlots"/>), or <see langword="null"/> when the provider's keys are not slots.
    /// </summary>
    public string? Slot { get; init; }

    /// <summary>
    /// Gets when revoking this version at the provider failed for good: it is killed locally, but still live at the
    /// provider until an operator revokes it there. <see langword="null"/> when no revocation failed.
    /// </summary>
    public Instant? RevocationFailedAt { get; init; }

    /// <summary>Gets when the scheduler warned that the provider will soon expire this version, or <see langword="null"/> before it did.</summary>
    public Instant? ExpiryWarnedAt { get; init; }

    /// <summary>Gets provider-specific facts about the version (for example a service-account id).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init => field = Frozen.Map(value); } = FrozenDictionary<string, string>.Empty;

    /// <summary>Creates a new, unique version id (<c>kv_</c> followed by 32 hex characters).</summary>
    /// <returns>The id.</returns>
    public static string NewVersionId() => "kv_" + Guid.NewGuid().ToString("N");

    /// <summary>Returns a summary without the secret.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => $"{VersionId} ({Stage}, {DisplayHint})";
}
