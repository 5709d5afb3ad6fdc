using System.Globalization;

namespace IronCage.Leaks.Scanning;

/// <summary>Where a leaked value was found: a file (or another named input), a line and column, and a git commit.</summary>
public sealed record LeakLocation
{
    /// <summary>Gets the file path (relative to the scanned root), a URL, or another name of the input.</summary>
    /// <value><see langword="null"/> for text without a name.</value>
    public string? Path { get; init; }

    /// <summary>Gets the line, from 1.</summary>
    /// <value>0 when the source does not say.</value>
    public int Line { get; init; }

    /// <summary>Gets the column of the value's first character, from 1.</summary>
    /// <value>0 when the source does not say.</value>
    public int Column { get; init; }

    /// <summary>Gets the git commit that added the value.</summary>
    /// <value><see langword="null"/> outside git history.</value>
    public string? Commit { get; init; }

    /// <inheritdoc />
    public override string ToString()
    {
        var text = Path ?? "(text)";
        if (Line > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $":{Line}");
            if (Column > 0)
            {
                text += string.Create(CultureInfo.InvariantCulture, $":{Column}");
            }
        }

        return Commit is null ? text : $"{text} @ {Commit[..Math.Min(12, Commit.Length)]}";
    }
}
