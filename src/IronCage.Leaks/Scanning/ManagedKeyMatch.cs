namespace IronCage.Leaks.Scanning;

/// <summary>The managed key version a leaked value belongs to, if any.</summary>
internal readonly record struct ManagedKeyMatch(LeakClassification Classification, KeyReference? Key, string? VersionId)
{
    public static ManagedKeyMatch None => new(LeakClassification.Unknown, null, null);
}
