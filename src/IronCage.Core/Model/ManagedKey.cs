using System.Collections.Frozen;
using IronCage.Internal;
using IronCage.Providers;
using IronCage.Storage;
using NodaTime;

namespace IronCage;

/// <summary>
/// The logical key a host uses, addressed as <c>provider/name</c>: its kind, labels, provider-side scope, rotation
/// policy, usage limits and versions. Immutable: change it with <c>with</c> and <see cref="IKeyStore.UpdateAsync"/>,
/// which checks <see cref="ConcurrencyToken"/>.
/// </summary>
public sealed record ManagedKey
{
    /// <summary>Gets the key's reference, <c>provider/name</c>.</summary>
    public required KeyReference Reference { get; init; }

    /// <summary>Gets the provider.</summary>
    public ProviderId Provider => Reference.Provider;

    /// <summary>Gets the name, unique per provider.</summary>
    public string Name => Reference.Name;

    /// <summary>Gets what the key is for.</summary>
    /// <value>The default value is <see cref="KeyKind.Inference"/>.</value>
    public KeyKind Kind { get; init; } = KeyKind.Inference;

    /// <summary>Gets a description for people.</summary>
    public string? Description { get; init; }

    /// <summary>Gets free-form labels (for example <c>environment = prod</c>).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init => field = Frozen.Map(value); } = FrozenDictionary<string, string>.Empty;

    /// <summary>
    /// Gets where the key lives at the provider: organization, project, workspace, AWS user, Azure resource, GCP
    /// project, data-plane endpoint. Also fills verify-call placeholders such as <c>endpoint</c> and <c>region</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> Scope { get; init => field = Frozen.Map(value); } = FrozenDictionary<string, string>.Empty;

    /// <summary>Gets the rotation policy.</summary>
    public RotationPolicy Policy { get; init; } = RotationPolicy.Default;

    /// <summary>Gets the usage limits.</summary>
    public UsageLimits Limits { get; init; } = UsageLimits.None;

    /// <summary>Gets the versions, oldest first.</summary>
    public IReadOnlyList<KeyVersion> Versions { get; init => field = Frozen.List(value); } = [];

    /// <summary>Gets when the managed key was registered.</summary>
    public Instant CreatedAt { get; init; }

    /// <summary>
    /// Gets the optimistic concurrency token: set by the store on every write. An update carrying a stale token fails
    /// with <see cref="ConcurrencyConflictException"/>.
    /// </summary>
    public long ConcurrencyToken { get; init; }

    /// <summary>
    /// Gets when the scheduler next has work on this key (a scheduled rotation or an expiry warning): set by the store
    /// on every write from <see cref="ManagedKeyDue.Compute"/>, so a value set by the caller is replaced.
    /// <see cref="ManagedKeyDue.Never"/> when nothing is scheduled; <see langword="null"/> for a row written before the
    /// store kept the value (or whose schedule cannot be evaluated), which <see cref="IKeyStore.ListDueAsync"/> always returns.
    /// </summary>
    public Instant? NextDueAt { get; init; }

    /// <summary>Gets the current version, if there is one.</summary>
    public KeyVersion? CurrentVersion => Versions.FirstOrDefault(v => v.Stage == KeyStage.Current);

    /// <summary>Gets the pending version, if a rotation is under way.</summary>
    public KeyVersion? PendingVersion => Versions.FirstOrDefault(v => v.Stage == KeyStage.Pending);

    /// <summary>Finds a version by id.</summary>
    /// <param name="versionId">The version id.</param>
    /// <returns>The version, or <see langword="null"/>.</returns>
    public KeyVersion? FindVersion(string versionId) => Versions.FirstOrDefault(v => string.Equals(v.VersionId, versionId, StringComparison.Ordinal));

    /// <summary>Returns a copy with <paramref name="version"/> added, or replacing the version with the same id.</summary>
    /// <param name="version">The version.</param>
    /// <returns>The new managed key (not yet stored).</returns>
    public ManagedKey WithVersion(KeyVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var versions = Versions.ToList();
        var index = versions.FindIndex(v => string.Equals(v.VersionId, version.VersionId, StringComparison.Ordinal));
        if (index >= 0)
        {
            versions[index] = version;
        }
        else
        {
            versions.Add(version);
        }

        return this with { Versions = versions };
    }

    /// <summary>Checks the invariants a store enforces on every write.</summary>
    /// <exception cref="IronCageException">Versions repeat an id, more than one version is Current or Pending, the policy or limits are invalid, or a description, label, scope or metadata entry breaks its bound (<see cref="IronCageConstants.MaxDescriptionLength"/>, <see cref="IronCageConstants.MaxLabels"/>, ...; no control characters).</exception>
    public void Validate()
    {
        if (Reference.Provider.IsEmpty)
        {
            throw new IronCageException("A managed key needs a reference such as 'openai/prod'.");
        }

        var text = TextBounds.Check(Description, IronCageConstants.MaxDescriptionLength, "The description")
            ?? TextBounds.CheckMap(Labels, "Labels")
            ?? TextBounds.CheckMap(Scope, "Scope");
        if (text is not null)
        {
            throw new IronCageException($"Managed key '{Reference}' was not stored: {text}");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        int current = 0, pending = 0;
        foreach (var version in Versions)
        {
            if (string.IsNullOrWhiteSpace(version.VersionId) || !ids.Add(version.VersionId))
            {
                throw new IronCageException($"Managed key '{Reference}' has an empty or repeated version id '{TextBounds.Echo(version.VersionId)}'.");
            }

            var versionText = TextBounds.Check(version.VersionId, IronCageConstants.MaxLabelNameLength, "The version id")
                ?? TextBounds.Check(version.ProviderKeyId, IronCageConstants.MaxProviderTextLength, "The provider key id")
                ?? TextBounds.Check(version.DisplayHint, IronCageConstants.MaxProviderTextLength, "The display hint")
                ?? TextBounds.Check(version.Slot, IronCageConstants.MaxProviderTextLength, "The slot")
                ?? TextBounds.CheckMap(version.Metadata, "Version metadata");
            if (versionText is not null)
            {
                throw new IronCageException($"Managed key '{Reference}' was not stored: {versionText}");
            }

            current += version.Stage == KeyStage.Current ? 1 : 0;
            pending += version.Stage == KeyStage.Pending ? 1 : 0;
        }

        if (current > 1)
        {
            throw new IronCageException($"Managed key '{Reference}' would have {current} Current versions; exactly one version may be Current.");
        }

        if (pending > 1)
        {
            throw new IronCageException($"Managed key '{Reference}' would have {pending} Pending versions; finish or roll back the rotation under way first.");
        }

        Policy.Validate();
        Limits.Validate();
    }

    /// <summary>Returns a summary without secrets.</summary>
    /// <returns>The summary.</returns>
    public override string ToString() => $"{Reference} ({Kind}, {Versions.Count} version(s), token {ConcurrencyToken})";
}
