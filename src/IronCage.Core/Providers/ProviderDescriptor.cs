using System.Collections.Frozen;
using NodaTime;
using IronCage.Internal;

namespace IronCage.Providers;

/// <summary>
/// Everything IronCage knows about a provider, as data: what its API allows, where people manage keys,
/// which environment variables hold keys, what keys look like, how requests carry them, and how to verify one.
/// The built-in catalog (<see cref="ProviderCatalog.BuiltIn"/>) holds one for every supported provider.
/// </summary>
public sealed class ProviderDescriptor
{
    /// <summary>Creates a descriptor.</summary>
    /// <param name="id">The provider id.</param>
    /// <param name="displayName">The provider's name for people.</param>
    public ProviderDescriptor(ProviderId id, string displayName)
    {
        if (id.IsEmpty)
        {
            throw new ArgumentException("A provider descriptor needs a provider id.", nameof(id));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(displayName);
        Id = id;
        DisplayName = displayName;
    }

    /// <summary>Gets the provider id.</summary>
    public ProviderId Id { get; }

    /// <summary>Gets the provider's name for people.</summary>
    public string DisplayName { get; }

    /// <summary>Gets every capability the provider's API offers, fully or with limits.</summary>
    public ProviderCapabilities Capabilities { get; init; }

    /// <summary>Gets the subset of <see cref="Capabilities"/> that is only partly available; <see cref="CapabilityNotes"/> says how.</summary>
    public ProviderCapabilities LimitedCapabilities { get; init; }

    /// <summary>Gets notes on limited or surprising capabilities, keyed by a single capability flag.</summary>
    public IReadOnlyDictionary<ProviderCapabilities, string> CapabilityNotes { get; init => field = Frozen.Map(value); } = FrozenDictionary<ProviderCapabilities, string>.Empty;

    /// <summary>
    /// Gets how keys of this provider rotate: derived from <see cref="Capabilities"/> (see <see cref="TierFor"/>), and
    /// <see cref="RotationTier.Manual"/> when there is no free call to verify a new key (a rotation never promotes an
    /// unverified key).
    /// </summary>
    public RotationTier Tier => ResolveTier(Capabilities, canVerify: VerifyCall is not null);

    /// <summary>Gets the page where people create and revoke keys; reminders link to it.</summary>
    public required Uri ConsoleUrl { get; init; }

    /// <summary>Gets the provider's API base address.</summary>
    public Uri? ApiBaseUrl { get; init; }

    /// <summary>Gets the environment variables that conventionally hold an inference key, the primary name first, then aliases.</summary>
    public IReadOnlyList<string> EnvironmentVariables { get; init => field = Frozen.List(value); } = [];

    /// <summary>Gets the environment variables that conventionally hold an admin or management key, if the provider has one.</summary>
    public IReadOnlyList<string> AdminEnvironmentVariables { get; init => field = Frozen.List(value); } = [];

    /// <summary>Gets the shapes of the provider's keys; empty when keys have no documented shape.</summary>
    public IReadOnlyList<KeyFormat> KeyFormats { get; init => field = Frozen.List(value); } = [];

    /// <summary>Gets how requests carry the key.</summary>
    public AuthScheme Auth { get; init; } = AuthScheme.Bearer;

    /// <summary>Gets the call that verifies an inference key, or <see langword="null"/> when the provider has no free verification call.</summary>
    public VerifyCall? VerifyCall { get; init; }

    /// <summary>Gets the call that verifies an admin or management key, if the provider documents one.</summary>
    public VerifyCall? AdminVerifyCall { get; init; }

    /// <summary>Gets the provider's error quirks, applied to every answer (verification, adapters, the HTTP handler) before the status-code defaults.</summary>
    public IReadOnlyList<ResponseRule> ErrorRules { get; init => field = Frozen.List(value); } = [];

    /// <summary>Gets the most keys of one kind a principal may hold at once (AWS: 2 per IAM user and service; Azure: 2 slots), if limited.</summary>
    public int? MaxKeysPerPrincipal { get; init; }

    /// <summary>Gets the names of fixed key slots (Azure <c>Key1</c>, <c>Key2</c>); empty when keys are not slots.</summary>
    public IReadOnlyList<string> KeySlots { get; init => field = Frozen.List(value); } = [];

    /// <summary>
    /// Gets a value indicating whether a key created through the provider's API carries the name the create gave it, so
    /// a key left by a create whose answer was lost (a crash, a timeout, a 5xx after the provider acted) is found again
    /// by that name.
    /// </summary>
    /// <value>The default value is <see langword="true"/>; Amazon Bedrock's IAM service-specific credentials have no name.</value>
    /// <remarks>
    /// When <see langword="false"/>, the rotation engine finds such a key by when it was created instead: a live key in
    /// the managed key's scope (the same IAM user) that no version of the managed key holds, created since the rotation
    /// was requested. The scope must then belong to that managed key alone.
    /// </remarks>
    public bool CreateSetsKeyName { get; init; } = true;

    /// <summary>Gets how long a deleted key can be restored (Google: 30 days), if the provider soft-deletes.</summary>
    public Duration? UndeleteWindow { get; init; }

    /// <summary>Gets free-form notes for operators (for example what the reminder should tell a person to do).</summary>
    public string? Notes { get; init; }

    /// <summary>
    /// The one tier resolution: the tier <paramref name="capabilities"/> allow (see <see cref="TierFor"/>), or
    /// <see cref="RotationTier.Manual"/> when a new key cannot be verified (a rotation never promotes an unverified key).
    /// </summary>
    /// <param name="capabilities">What the provider (its adapter) can do.</param>
    /// <param name="canVerify">Whether a new key can be verified: by the adapter, or by the catalog's <see cref="VerifyCall"/>.</param>
    /// <returns>The rotation tier.</returns>
    public static RotationTier ResolveTier(ProviderCapabilities capabilities, bool canVerify)
        => canVerify ? TierFor(capabilities) : RotationTier.Manual;

    /// <summary>Derives the rotation tier from capabilities.</summary>
    /// <param name="capabilities">The provider's capabilities.</param>
    /// <returns>
    /// <see cref="RotationTier.Generated"/> when IronCage mints the keys itself (<see cref="ProviderCapabilities.Generate"/>);
    /// <see cref="RotationTier.SlotAlternating"/> when slots can be regenerated but keys not created;
    /// <see cref="RotationTier.CreateThenDelete"/> when keys can be created, deleted and undeleted;
    /// <see cref="RotationTier.Automatic"/> when keys can be created and deleted or deactivated;
    /// <see cref="RotationTier.SemiAutomatic"/> when keys can only be deactivated or deleted;
    /// otherwise <see cref="RotationTier.Manual"/>.
    /// </returns>
    public static RotationTier TierFor(ProviderCapabilities capabilities)
    {
        var canCreate = capabilities.HasFlag(ProviderCapabilities.Create);
        var canRetire = (capabilities & (ProviderCapabilities.Delete | ProviderCapabilities.Deactivate)) != 0;

        if (capabilities.HasFlag(ProviderCapabilities.Generate))
        {
            return RotationTier.Generated;
        }

        if (capabilities.HasFlag(ProviderCapabilities.Regenerate) && !canCreate)
        {
            return RotationTier.SlotAlternating;
        }

        if (canCreate && capabilities.HasFlag(ProviderCapabilities.Delete) && capabilities.HasFlag(ProviderCapabilities.Undelete))
        {
            return RotationTier.CreateThenDelete;
        }

        if (canCreate && canRetire)
        {
            return RotationTier.Automatic;
        }

        return !canCreate && canRetire ? RotationTier.SemiAutomatic : RotationTier.Manual;
    }

    /// <summary>Tells how far the provider supports one capability.</summary>
    /// <param name="capability">A single capability flag.</param>
    /// <returns>None, Limited or Full.</returns>
    public CapabilitySupport GetSupport(ProviderCapabilities capability)
    {
        if ((Capabilities & capability) != capability || capability == ProviderCapabilities.None)
        {
            return CapabilitySupport.None;
        }

        return (LimitedCapabilities & capability) != 0 ? CapabilitySupport.Limited : CapabilitySupport.Full;
    }

    /// <summary>Tells whether the provider offers a capability at all (fully or with limits).</summary>
    /// <param name="capability">One or more capability flags.</param>
    /// <returns><see langword="true"/> when every flag is offered.</returns>
    public bool Supports(ProviderCapabilities capability) => capability != ProviderCapabilities.None && (Capabilities & capability) == capability;

    /// <summary>Returns the key format for a key kind, if the provider documents one.</summary>
    /// <param name="kind">The key kind.</param>
    /// <returns>The formats of that kind (several for OpenAI's project, service-account and legacy keys).</returns>
    public IEnumerable<KeyFormat> FormatsFor(KeyKind kind) => KeyFormats.Where(f => f.Kind == kind);

    /// <summary>Checks the descriptor's internal consistency.</summary>
    /// <exception cref="ArgumentException">Limited capabilities are not a subset of capabilities, or a verify call is set without the Verify capability.</exception>
    public void Validate()
    {
        if ((LimitedCapabilities & ~Capabilities) != 0)
        {
            throw new ArgumentException($"Provider '{Id}': LimitedCapabilities ({LimitedCapabilities}) must be a subset of Capabilities ({Capabilities}).");
        }

        if (VerifyCall is not null && !Supports(ProviderCapabilities.Verify))
        {
            throw new ArgumentException($"Provider '{Id}' has a verify call but not the Verify capability.");
        }

        if (VerifyCall is null && GetSupport(ProviderCapabilities.Verify) == CapabilitySupport.Full)
        {
            throw new ArgumentException($"Provider '{Id}' claims full Verify support but has no verify call.");
        }

        if (!ConsoleUrl.IsAbsoluteUri)
        {
            throw new ArgumentException($"Provider '{Id}': ConsoleUrl must be absolute.");
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{DisplayName} ({Id}, {Tier})";
}
