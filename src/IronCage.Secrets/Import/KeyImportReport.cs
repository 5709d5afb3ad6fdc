using System.Globalization;

namespace IronCage.Secrets;

/// <summary>What an import found and did, one entry per candidate. Never holds a value.</summary>
public sealed class KeyImportReport
{
    /// <summary>Gets the source's name.</summary>
    public required string Source { get; init; }

    /// <summary>Gets a value indicating whether this was a dry run (nothing was written; <see cref="KeyImportStatus.Imported"/> means "would be imported").</summary>
    public bool DryRun { get; init; }

    /// <summary>Gets one entry per candidate, in the order the source yielded them.</summary>
    public required IReadOnlyList<KeyImportEntry> Entries { get; init; }

    /// <summary>Gets the number of keys imported (or, in a dry run, that would be).</summary>
    public int Imported => Count(KeyImportStatus.Imported);

    /// <summary>Gets the number of values already managed.</summary>
    public int AlreadyManaged => Count(KeyImportStatus.AlreadyManaged);

    /// <summary>Gets the number of values refused.</summary>
    public int Invalid => Count(KeyImportStatus.Invalid);

    /// <summary>Gets the number of values whose verification reached no verdict.</summary>
    public int Unverifiable => Count(KeyImportStatus.Unverifiable);

    /// <summary>Gets the number of values of no known provider.</summary>
    public int UnknownProvider => Count(KeyImportStatus.UnknownProvider);

    /// <summary>Gets a value indicating whether any entry is <see cref="KeyImportStatus.Invalid"/>.</summary>
    public bool HasInvalid => Invalid > 0;

    /// <summary>Counts the entries of one status.</summary>
    /// <param name="status">The status.</param>
    /// <returns>The count.</returns>
    public int Count(KeyImportStatus status) => Entries.Count(e => e.Status == status);

    /// <summary>Returns the counts and every entry, never a value.</summary>
    /// <returns>The summary.</returns>
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture, $"Import from {Source}{(DryRun ? " (dry run)" : string.Empty)}: {Imported} imported, {AlreadyManaged} already managed, {Invalid} invalid, {Unverifiable} unverifiable, {UnknownProvider} unknown provider")
            + string.Concat(Entries.Select(e => Environment.NewLine + "  " + e));
}
