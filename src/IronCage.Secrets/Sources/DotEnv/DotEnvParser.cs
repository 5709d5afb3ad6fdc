using System.Text;

namespace IronCage.Secrets;

/// <summary>
/// Parses <c>.env</c> files as docker compose, python-dotenv and the Node dotenv package read them: <c>NAME=value</c>
/// lines, an optional <c>export </c> prefix, <c>#</c> comments and blank lines, single-quoted values taken literally,
/// double-quoted values with <c>\n \r \t \" \\ \$</c> escapes, quoted values that span lines, unquoted values trimmed and
/// cut at a <c> #</c> comment, and <c>${NAME}</c> expansion only when asked for.
/// </summary>
/// <remarks>
/// Errors carry the file and line number, never a value. Written here rather than taken from DotNetEnv 3.0.0 because that
/// library reports no line numbers (the import report and its errors point at the line), always expands
/// <c>${NAME}</c> in unquoted and double-quoted values (from the process environment among others), and keeps every
/// value in a <see cref="string"/>.
/// </remarks>
internal static class DotEnvParser
{
    public static List<DotEnvEntry> Parse(string text, string file, bool expandVariables, Func<string, string?>? outside = null)
    {
        var entries = new List<DotEnvEntry>();
        var index = 0;
        var line = 1;
        var value = new StringBuilder();
        while (index < text.Length)
        {
            var startLine = line;
            var lineEnd = IndexOfLineEnd(text, index);
            var span = text.AsSpan(index, lineEnd - index).Trim();
            if (span.IsEmpty || span[0] == '#')
            {
                (index, line) = NextLine(text, lineEnd, line);
                continue;
            }

            var offset = index + (text.AsSpan(index, lineEnd - index).Length - text.AsSpan(index, lineEnd - index).TrimStart().Length);
            if (span.StartsWith("export ", StringComparison.Ordinal) || span.StartsWith("export\t", StringComparison.Ordinal))
            {
                offset += "export".Length;
                while (offset < lineEnd && text[offset] is ' ' or '\t')
                {
                    offset++;
                }
            }

            var equals = text.IndexOf('=', offset, lineEnd - offset);
            if (equals < 0)
            {
                throw new KeySourceException($"{file}:{startLine}: expected NAME=value; the line has no '='.");
            }

            var name = text.AsSpan(offset, equals - offset).Trim().ToString();
            if (!IsValidName(name))
            {
                throw new KeySourceException($"{file}:{startLine}: '{(name.Length > 64 ? name[..64] : name)}' is not a variable name (letters, digits, '_', '.' and '-', not starting with a digit).");
            }

            var position = equals + 1;
            while (position < lineEnd && text[position] is ' ' or '\t')
            {
                position++;
            }

            value.Clear();
            if (position < text.Length && text[position] is '"' or '\'')
            {
                var quote = text[position];
                position++;
                var closed = false;
                while (position < text.Length)
                {
                    var c = text[position];
                    if (c == quote)
                    {
                        closed = true;
                        position++;
                        break;
                    }

                    if (c == '\n')
                    {
                        line++;
                    }

                    if (quote == '"' && c == '\\' && position + 1 < text.Length)
                    {
                        var next = text[position + 1];
                        var escaped = next switch { 'n' => '\n', 'r' => '\r', 't' => '\t', '"' => '"', '\\' => '\\', '$' => '$', _ => '\0' };
                        if (escaped != '\0')
                        {
                            value.Append(escaped);
                            position += 2;
                            continue;
                        }
                    }

                    if (quote == '"' && c == '$' && expandVariables && TryExpand(text, ref position, entries, outside, value))
                    {
                        continue;
                    }

                    value.Append(c);
                    position++;
                }

                if (!closed)
                {
                    throw new KeySourceException($"{file}:{startLine}: the value of {name} opens a {(quote == '"' ? "double" : "single")} quote that is never closed.");
                }

                lineEnd = IndexOfLineEnd(text, position);
                var rest = text.AsSpan(position, lineEnd - position).Trim();
                if (!rest.IsEmpty && rest[0] != '#')
                {
                    throw new KeySourceException($"{file}:{line}: unexpected text after the closing quote of {name}'s value; put a comment after '#' or quote the whole value.");
                }
            }
            else
            {
                var end = lineEnd;
                for (var i = position; i < lineEnd; i++)
                {
                    if (text[i] == '#' && i > position && text[i - 1] is ' ' or '\t')
                    {
                        end = i;
                        break;
                    }
                }

                var raw = text.AsSpan(position, end - position).TrimEnd();
                for (var i = 0; i < raw.Length; i++)
                {
                    var p = position + i;
                    if (raw[i] == '$' && expandVariables && TryExpand(text, ref p, entries, outside, value))
                    {
                        i = p - position - 1;
                        continue;
                    }

                    value.Append(raw[i]);
                }
            }

            var chars = new char[value.Length];
            value.CopyTo(0, chars, 0, value.Length);
            ClearBuilder(value);
            entries.Add(new DotEnvEntry(name, startLine, chars, line));
            (index, line) = NextLine(text, lineEnd, line);
        }

        return entries;
    }

    private static bool IsValidName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '_' and not '.' and not '-')
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryExpand(string text, ref int position, List<DotEnvEntry> entries, Func<string, string?>? outside, StringBuilder value)
    {
        if (position + 1 >= text.Length || text[position + 1] != '{')
        {
            return false;
        }

        var close = text.IndexOf('}', position + 2);
        var lineEnd = IndexOfLineEnd(text, position);
        if (close < 0 || close > lineEnd)
        {
            return false;
        }

        var name = text.Substring(position + 2, close - position - 2);
        var earlier = entries.FindLast(e => string.Equals(e.Name, name, StringComparison.Ordinal));
        if (earlier.Value is not null)
        {
            value.Append(earlier.Value);
        }
        else if (outside?.Invoke(name) is { } found)
        {
            value.Append(found);
        }

        position = close + 1;
        return true;
    }

    private static int IndexOfLineEnd(string text, int from)
    {
        var end = text.IndexOf('\n', from);
        if (end < 0)
        {
            end = text.Length;
        }

        return end > from && text[end - 1] == '\r' ? end - 1 : end;
    }

    private static (int Index, int Line) NextLine(string text, int lineEnd, int line)
    {
        var next = text.IndexOf('\n', lineEnd);
        return next < 0 ? (text.Length, line) : (next + 1, line + 1);
    }

    private static void ClearBuilder(StringBuilder builder)
    {
        // Overwrite the builder's chunks before reuse so a value does not linger in it.
        for (var i = 0; i < builder.Length; i++)
        {
            builder[i] = '\0';
        }

        builder.Clear();
    }
}
