namespace IronCage;

/// <summary>
/// The checks behind the documented bounds on text a caller hands IronCage (descriptions, labels, scope, metadata,
/// provider key ids), and the shortening of any echo of caller text in a message, so a hostile input of a megabyte
/// produces a short error and never reaches a store.
/// </summary>
internal static class TextBounds
{
    /// <summary>The most characters of caller text a message repeats.</summary>
    public const int MaxEcho = 64;

    /// <summary>Returns <paramref name="text"/> as a message may quote it: at most <see cref="MaxEcho"/> characters, control characters shown as <c>?</c>.</summary>
    public static string Echo(string? text)
    {
        if (text is null)
        {
            return string.Empty;
        }

        var shown = text.Length <= MaxEcho ? text : text[..MaxEcho];
        if (shown.Any(char.IsControl))
        {
            shown = string.Concat(shown.Select(c => char.IsControl(c) ? '?' : c));
        }

        return text.Length <= MaxEcho ? shown : $"{shown}… ({text.Length} characters)";
    }

    /// <summary>Checks one text value: at most <paramref name="maxLength"/> characters and no control character (NUL included), which PostgreSQL refuses and SQLite would store.</summary>
    /// <returns>The problem, or <see langword="null"/>.</returns>
    public static string? Check(string? value, int maxLength, string what)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length > maxLength)
        {
            return $"{what} is {value.Length} characters long; the most allowed is {maxLength}.";
        }

        foreach (var c in value)
        {
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                return $"{what} '{Echo(value)}' contains a control character (U+{(int)c:X4}); remove it.";
            }
        }

        return null;
    }

    /// <summary>Checks a string map (labels, scope, metadata): how many entries, and each name and value.</summary>
    /// <returns>The problem, or <see langword="null"/>.</returns>
    public static string? CheckMap(IReadOnlyDictionary<string, string> map, string what)
    {
        if (map.Count > IronCageConstants.MaxLabels)
        {
            return $"{what} has {map.Count} entries; the most allowed is {IronCageConstants.MaxLabels}.";
        }

        foreach (var (name, value) in map)
        {
            if (name.Length == 0)
            {
                return $"{what} has an entry with an empty name.";
            }

            var problem = Check(name, IronCageConstants.MaxLabelNameLength, $"The name of an entry of {what}")
                ?? Check(value, IronCageConstants.MaxLabelValueLength, $"The value of {what} entry '{Echo(name)}'");
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }
}
