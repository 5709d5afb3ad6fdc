namespace IronCage.Leaks.Scanning;

/// <summary>
/// How far a scan has come, reported to the <see cref="IProgress{T}"/> given to <see cref="LeakScanner.WithProgress"/>:
/// running totals over every scan that scanner runs. Reported after each buffer of text (at most every 64 K
/// characters), each file and each commit, so a caller can show a count and a rate for long work.
/// </summary>
public readonly struct LeakScanProgress : IEquatable<LeakScanProgress>
{
    /// <summary>Creates a progress report.</summary>
    /// <param name="charactersScanned">The characters of text scanned so far.</param>
    /// <param name="filesScanned">The text files scanned so far.</param>
    /// <param name="commitsScanned">The commits whose added lines were scanned so far.</param>
    public LeakScanProgress(long charactersScanned, int filesScanned, int commitsScanned)
    {
        CharactersScanned = charactersScanned;
        FilesScanned = filesScanned;
        CommitsScanned = commitsScanned;
    }

    /// <summary>Gets the characters of text scanned so far (for ASCII text, the bytes).</summary>
    public long CharactersScanned { get; }

    /// <summary>Gets the text files scanned so far (binary files are skipped and not counted).</summary>
    public int FilesScanned { get; }

    /// <summary>Gets the commits whose added lines were scanned so far (git history scans only).</summary>
    public int CommitsScanned { get; }

    /// <summary>Compares two reports.</summary>
    /// <param name="left">The first report.</param>
    /// <param name="right">The second report.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public static bool operator ==(LeakScanProgress left, LeakScanProgress right) => left.Equals(right);

    /// <summary>Compares two reports.</summary>
    /// <param name="left">The first report.</param>
    /// <param name="right">The second report.</param>
    /// <returns><see langword="true"/> when they differ.</returns>
    public static bool operator !=(LeakScanProgress left, LeakScanProgress right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(LeakScanProgress other) => CharactersScanned == other.CharactersScanned && FilesScanned == other.FilesScanned && CommitsScanned == other.CommitsScanned;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is LeakScanProgress other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(CharactersScanned, FilesScanned, CommitsScanned);

    /// <inheritdoc />
    public override string ToString() => $"{CharactersScanned} characters, {FilesScanned} files, {CommitsScanned} commits";
}
