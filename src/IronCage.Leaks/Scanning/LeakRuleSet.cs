using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using IronCage.Providers;

namespace IronCage.Leaks.Scanning;

/// <summary>
/// Every key shape of a provider catalog, compiled once: the prefix-anchored shapes as one regular expression (its
/// leading prefixes are searched vectorised), the keyword-anchored ones behind a case-insensitive search for their
/// keywords, so text without a keyword never runs the generic token patterns.
/// </summary>
internal sealed class LeakRuleSet
{
    /// <summary>The longest key any rule matches; a stream keeps this much of a line when it cuts a long line.</summary>
    public const int MaxKeyLength = 512;

    // Amazon Bedrock long-term API keys have no catalog format yet; gitleaks and trufflehog match them by the
    // base64 of "BedrockAPIKey-" they start with.
    private const string BedrockPattern = "ABSK[A-Za-z0-9+/]{109,269}={0,2}";
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(2);
    private readonly LeakRule[] _prefixed;
    private readonly (string Keyword, LeakRule[] Rules)[] _keywordGroups;

    public LeakRuleSet(IProviderCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var rules = new List<LeakRule>();
        foreach (var descriptor in catalog.All)
        {
            foreach (var format in descriptor.KeyFormats)
            {
                if (!rules.Exists(r => r.Provider == descriptor.Id && r.Pattern == format.Pattern && r.Keywords.SequenceEqual(format.ContextKeywords)))
                {
                    rules.Add(new LeakRule(descriptor.Id, format.Kind, format.Pattern, format.Prefix, format.ContextKeywords, format.IsStrict));
                }
            }

            if (descriptor.Id == ProviderId.AwsBedrock && descriptor.KeyFormats.Count == 0)
            {
                rules.Add(new LeakRule(descriptor.Id, KeyKind.Inference, BedrockPattern, "ABSK", [], isStrict: true));
            }
        }

        Rules = rules;

        // Longer prefixes first, so sk-ant-api03- is tried before the legacy OpenAI sk- at the same position.
        _prefixed = [.. rules.Where(r => !r.RequiresContext).OrderByDescending(r => r.Prefix?.Length ?? 0)];
        _keywordGroups = [.. rules.Where(r => r.RequiresContext)
            .SelectMany(r => r.Keywords.Select(k => (Keyword: k, Rule: r)))
            .GroupBy(x => x.Keyword, StringComparer.OrdinalIgnoreCase)
            .Select(g => (g.Key, g.Select(x => x.Rule).Distinct().ToArray()))];

        var combined = new StringBuilder(LeakRule.Before).Append("(?:");
        for (var i = 0; i < _prefixed.Length; i++)
        {
            combined.Append(i == 0 ? "" : "|").Append("(?:").Append(_prefixed[i].Pattern).Append(')');
        }

        combined.Append(')').Append(LeakRule.After);
        Prefixed = _prefixed.Length == 0
            ? null
            : new Regex(combined.ToString(), RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.Compiled, MatchTimeout);
#if NET9_0_OR_GREATER
        // Candidate-first: every prefix-anchored shape starts with its literal prefix, so a vectorised search for the
        // prefixes finds every place a key can start, and the alternation runs only there, anchored (\G). Text
        // without a prefix costs one IndexOfAny; the plain regex would try its alternation at every s, x, g, A, r, p.
        if (_prefixed.Length != 0 && Array.TrueForAll(_prefixed, r => !string.IsNullOrEmpty(r.Prefix) && r.Pattern.StartsWith(r.Prefix, StringComparison.Ordinal)))
        {
            _prefixes = SearchValues.Create([.. _prefixed.Select(r => r.Prefix!).Distinct(StringComparer.Ordinal)], StringComparison.Ordinal);
            _anchored = new Regex("\\G" + combined.ToString()[LeakRule.Before.Length..], RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.Compiled, MatchTimeout);
        }
#endif
    }

#if NET9_0_OR_GREATER
    private readonly SearchValues<string>? _prefixes;
    private readonly Regex? _anchored;
#endif

    public IReadOnlyList<LeakRule> Rules { get; }

    private Regex? Prefixed { get; }

    /// <summary>
    /// Finds every key shape in <paramref name="text"/> that starts at or after <paramref name="startAt"/> and before
    /// <paramref name="limit"/>; characters before <paramref name="startAt"/> are only context for the boundaries.
    /// </summary>
    public void FindHits(ReadOnlySpan<char> text, int startAt, int limit, List<RawHit> hits)
    {
        var first = hits.Count;
#if NET9_0_OR_GREATER
        if (_prefixes is not null && _anchored is not null)
        {
            FindPrefixedCandidateFirst(text, startAt, limit, hits);
        }
        else
#endif
        if (Prefixed is not null)
        {
            foreach (var match in Prefixed.EnumerateMatches(text, startAt))
            {
                if (match.Index >= limit)
                {
                    break;
                }

                var value = text.Slice(match.Index, match.Length);
                foreach (var rule in _prefixed)
                {
                    if (rule.Exact.IsMatch(value))
                    {
                        hits.Add(new RawHit(match.Index, match.Length, rule));
                        break;
                    }
                }
            }
        }

        var keywordHits = false;
        foreach (var (keyword, rules) in _keywordGroups)
        {
            var from = startAt;
            while (from < text.Length)
            {
                var found = text[from..].IndexOf(keyword, StringComparison.OrdinalIgnoreCase);
                if (found < 0)
                {
                    break;
                }

                // The keyword's own line and the lines either side of it.
                var at = from + found;
                var windowStart = LineStart(text, LineStart(text, at) - 1);
                var windowEnd = LineEnd(text, LineEnd(text, at + keyword.Length) + 1);
                windowStart = Math.Max(windowStart, startAt);
                foreach (var rule in rules)
                {
                    foreach (var match in rule.Find.EnumerateMatches(text[..windowEnd], windowStart))
                    {
                        if (match.Index >= limit)
                        {
                            break;
                        }

                        if (rule.LooksRandom(text.Slice(match.Index, match.Length)) && !Contains(hits, first, match.Index, rule))
                        {
                            hits.Add(new RawHit(match.Index, match.Length, rule));
                            keywordHits = true;
                        }
                    }
                }

                from = Math.Max(windowEnd, at + keyword.Length);
            }
        }

        if (keywordHits)
        {
            hits.Sort(first, hits.Count - first, RawHit.ByIndex);
        }
    }

#if NET9_0_OR_GREATER
    private void FindPrefixedCandidateFirst(ReadOnlySpan<char> text, int startAt, int limit, List<RawHit> hits)
    {
        var at = startAt;
        while (at < limit)
        {
            var found = text[at..].IndexOfAny(_prefixes!);
            if (found < 0 || at + found >= limit)
            {
                return;
            }

            var candidate = at + found;
            at = candidate + 1;

            // The token boundary before the key (the combined regex's lookbehind).
            if (candidate > 0 && IsKeyChar(text[candidate - 1]))
            {
                continue;
            }

            foreach (var match in _anchored!.EnumerateMatches(text, candidate))
            {
                var value = text.Slice(match.Index, match.Length);
                foreach (var rule in _prefixed)
                {
                    if (rule.Exact.IsMatch(value))
                    {
                        hits.Add(new RawHit(match.Index, match.Length, rule));
                        break;
                    }
                }

                at = match.Index + Math.Max(match.Length, 1);
                break;
            }
        }

        static bool IsKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-';
    }
#endif

    private static bool Contains(List<RawHit> hits, int first, int index, LeakRule rule)
    {
        for (var i = first; i < hits.Count; i++)
        {
            if (hits[i].Index == index && (hits[i].Rule == rule || !hits[i].Rule.RequiresContext))
            {
                return true;
            }
        }

        return false;
    }

    private static int LineStart(ReadOnlySpan<char> text, int at)
    {
        if (at <= 0)
        {
            return 0;
        }

        return text[..at].LastIndexOf('\n') + 1;
    }

    private static int LineEnd(ReadOnlySpan<char> text, int at)
    {
        if (at >= text.Length)
        {
            return text.Length;
        }

        var next = text[at..].IndexOf('\n');
        return next < 0 ? text.Length : at + next;
    }
}
