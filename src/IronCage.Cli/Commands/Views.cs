using IronCage.Rotation;
using NodaTime;

namespace IronCage.Cli.Commands;

/// <summary>A managed key as the tool shows it: hints and ids, never a value.</summary>
internal sealed record KeyView(
    string Key,
    string Provider,
    string Kind,
    string? Current,
    string? CurrentVersion,
    Instant CreatedAt,
    Instant? NextDueAt,
    string? Schedule,
    int Versions,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Scope,
    IReadOnlyList<VersionView>? History)
{
    public static KeyView From(ManagedKey key, bool withVersions = false) => new(
        key.Reference.ToString(),
        key.Provider.Value,
        key.Kind.ToString(),
        key.CurrentVersion?.DisplayHint,
        key.CurrentVersion?.VersionId,
        key.CreatedAt,
        Show.Due(key),
        key.Policy.Schedule?.Text,
        key.Versions.Count,
        key.Labels,
        key.Scope,
        withVersions ? key.Versions.Select(VersionView.From).ToList() : null);
}

/// <summary>One version of a managed key.</summary>
internal sealed record VersionView(
    string VersionId,
    string Stage,
    string Hint,
    string? ProviderKeyId,
    Instant CreatedAt,
    Instant? ActivatedAt,
    Instant? ExpiresAt,
    Instant? RevokedAt,
    Instant? KilledAt,
    Instant? LastUsedAt)
{
    public static VersionView From(KeyVersion version) => new(
        version.VersionId,
        version.Stage.ToString(),
        version.DisplayHint,
        version.ProviderKeyId,
        version.CreatedAt,
        version.ActivatedAt,
        version.ExpiresAt,
        version.RevokedAt,
        version.KilledAt,
        version.LastUsedAt);
}

/// <summary>A rotation operation as the tool shows it.</summary>
internal sealed record OperationView(
    string OperationId,
    string Key,
    string Kind,
    string Reason,
    string Step,
    string Tier,
    bool Finished,
    string RequestedBy,
    Instant RequestedAt,
    Instant UpdatedAt,
    Instant? GraceEndsAt,
    Instant? EndedAt,
    string? NewKey,
    string? LastError,
    string? Note)
{
    public static OperationView From(RotationOperation operation) => new(
        operation.OperationId,
        operation.Key.ToString(),
        operation.Kind.ToString(),
        operation.Reason.ToString(),
        operation.Step.ToString(),
        operation.Tier.ToString(),
        operation.IsFinished,
        operation.RequestedBy,
        operation.RequestedAt,
        operation.UpdatedAt,
        operation.GraceEndsAt,
        operation.EndedAt,
        operation.NewDisplayHint,
        operation.LastError,
        operation.Note);
}

/// <summary>How instants read in tables.</summary>
internal static class Show
{
    public static string? Time(Instant? instant) => instant?.ToString("uuuu-MM-dd HH:mm'Z'", null);

    /// <summary>When the key next has scheduled work; <see langword="null"/> for a key that has none (stored as <see cref="ManagedKeyDue.Never"/>).</summary>
    public static Instant? Due(ManagedKey key) => key.NextDueAt == ManagedKeyDue.Never ? null : key.NextDueAt;
}
