using System.Text.RegularExpressions;

namespace IronCage.Docs.Tests;

/// <summary>One fenced C# block of a Markdown page, with where it is.</summary>
internal sealed record DocsSnippet(string File, int Line, string Code)
{
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>Finds every C# block the repository's Markdown shows a reader.</summary>
internal static partial class DocsSnippets
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>README.md, every page under docs/, and every package's and sample's README.</summary>
    public static IEnumerable<string> Pages()
    {
        yield return Path.Combine(RepositoryRoot, "README.md");
        foreach (var folder in new[] { "docs", "src", "samples" })
        {
            foreach (var page in Directory.EnumerateFiles(Path.Combine(RepositoryRoot, folder), "*.md", SearchOption.AllDirectories)
                .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                    && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal))
            {
                yield return page;
            }
        }
    }

    public static IReadOnlyList<DocsSnippet> All() => Pages().SelectMany(Read).ToList();

    public static IEnumerable<DocsSnippet> Read(string page)
    {
        var relative = Path.GetRelativePath(RepositoryRoot, page).Replace('\\', '/');
        var lines = File.ReadAllLines(page);
        for (var i = 0; i < lines.Length; i++)
        {
            var open = Fence().Match(lines[i]);
            if (!open.Success || !IsCSharp(open.Groups["lang"].Value))
            {
                continue;
            }

            var start = i + 1;
            var end = start;
            while (end < lines.Length && !lines[end].TrimStart().StartsWith(open.Groups["fence"].Value, StringComparison.Ordinal))
            {
                end++;
            }

            var indent = open.Groups["indent"].Value.Length;
            var body = lines[start..end].Select(l => l.Length >= indent && string.IsNullOrWhiteSpace(l[..indent]) ? l[indent..] : l.TrimStart());
            yield return new DocsSnippet(relative, start, string.Join('\n', body));
            i = end;
        }
    }

    private static bool IsCSharp(string language)
        => language.Equals("csharp", StringComparison.OrdinalIgnoreCase)
        || language.Equals("cs", StringComparison.OrdinalIgnoreCase)
        || language.Equals("c#", StringComparison.OrdinalIgnoreCase);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IronCage.Sdk.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("IronCage.Sdk.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^(?<indent>\s*)(?<fence>`{3,}|~{3,})\s*(?<lang>[^\s`{]+)?")]
    private static partial Regex Fence();
}
