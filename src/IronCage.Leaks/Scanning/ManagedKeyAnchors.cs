using System.Buffers;
using System.Collections.Frozen;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using IronCage.Providers;

namespace IronCage.Leaks.Scanning;

/// <summary>
/// Finds where live managed key values may be in a text without the full rule search, for the egress guard's hot
/// path. Every live version (current, pending, previous) stored with a display hint <c>abc…wxyz</c> — its first three
/// and last four characters, which IronCage records for every key of at least 20 letters, digits, '-', '_' and '.' —
/// is anchored by them: the text is searched once (vectorized) for the distinct heads, and only a span that starts
/// with a head and ends, 20 to 512 characters later, with a tail of a key with that head becomes a candidate for
/// the caller to fingerprint. Plaintext is never compared and never held: a head and a tail are what every listing
/// shows already.
/// </summary>
/// <remarks>
/// <para>
/// The work is linear in the text: each character is looked at by the head search, and at most once more as the
/// possible end of a key inside a run of key characters that contains a head. At most <see cref="MaxCandidates"/>
/// candidates are collected; a text with more (a hostile body made of heads and tails) reports an overflow and the
/// caller falls back to the rule search, so padding cannot hide a key.
/// </para>
/// <para>
/// A version whose hint has no head and tail (a short key, one with other characters, or a hint blanked in the
/// store) cannot be anchored; <see cref="HasUnanchored"/> then tells the caller to run the rule search too, so such
/// a key is still found by its provider's shape, only more slowly.
/// </para>
/// </remarks>
internal sealed class ManagedKeyAnchors
{
    /// <summary>The most candidates one text yields before the caller falls back to the rule search.</summary>
    public const int MaxCandidates = 256;

    private const int HeadLength = 3;
    private const int TailLength = 4;
    private const int MinKeyLength = 20;
    private const int Window = LeakRuleSet.MaxKeyLength;

    /// <summary>Up to this many distinct heads, UTF-8 bytes are searched head by head without decoding them.</summary>
    private const int FewHeads = 4;

    private readonly string[] _heads;
    private readonly byte[][] _utf8Heads;
    private readonly FrozenSet<ulong> _headSet;
    private readonly FrozenDictionary<ulong, Anchor[]> _byTail;
#if NET9_0_OR_GREATER
    private readonly SearchValues<string>? _headSearch;
#endif

    private ManagedKeyAnchors(HashSet<string> heads, Dictionary<ulong, List<Anchor>> byTail, bool hasUnanchored)
    {
        _heads = [.. heads];
        _utf8Heads = [.. _heads.Select(Encoding.ASCII.GetBytes)];
        _headSet = heads.Select(h => PackHead(h)).ToFrozenSet();
        _byTail = byTail.ToFrozenDictionary(pair => pair.Key, pair => pair.Value.ToArray());
        HasUnanchored = hasUnanchored;
#if NET9_0_OR_GREATER
        _headSearch = _heads.Length == 0 ? null : SearchValues.Create(_heads, StringComparison.Ordinal);
#endif
    }

    /// <summary>Gets anchors for no keys.</summary>
    public static ManagedKeyAnchors Empty { get; } = new(new HashSet<string>(StringComparer.Ordinal), new Dictionary<ulong, List<Anchor>>(), hasUnanchored: false);

    /// <summary>Gets whether a live version could not be anchored, so the rule search must run too.</summary>
    public bool HasUnanchored { get; }

    /// <summary>Gets whether no live version is anchored.</summary>
    public bool IsEmpty => _heads.Length == 0;

    /// <summary>
    /// Gets whether UTF-8 text is best searched as it is (few heads, each found with a vectorized search) rather than
    /// decoded first for the multi-string search. Keys are ASCII, and no byte of a multi-byte UTF-8 sequence is, so
    /// both find the same spans.
    /// </summary>
#if NET9_0_OR_GREATER
    public bool SearchesUtf8 => _heads.Length <= FewHeads;
#else
#pragma warning disable CA1822 // An instance property on net9.0 and later, where it depends on the heads.
    public bool SearchesUtf8 => true;
#pragma warning restore CA1822
#endif

    /// <summary>Anchors the live versions by their display hints.</summary>
    /// <param name="liveVersions">Each live version's provider, kind and display hint.</param>
    /// <returns>The anchors.</returns>
    public static ManagedKeyAnchors Create(IEnumerable<(ProviderId Provider, KeyKind Kind, string? Hint)> liveVersions)
    {
        var heads = new HashSet<string>(StringComparer.Ordinal);
        var byTail = new Dictionary<ulong, List<Anchor>>();
        var unanchored = false;
        foreach (var (provider, kind, hint) in liveVersions)
        {
            if (!TryParse(hint, out var head, out var tail))
            {
                unanchored = true;
                continue;
            }

            heads.Add(head);
            var anchor = new Anchor(PackHead(head), provider, kind);
            if (!byTail.TryGetValue(PackTail(tail), out var anchors))
            {
                byTail[PackTail(tail)] = anchors = [];
            }

            if (!anchors.Contains(anchor))
            {
                anchors.Add(anchor);
            }
        }

        return heads.Count == 0 && !unanchored ? Empty : new ManagedKeyAnchors(heads, byTail, unanchored);
    }

    /// <summary>
    /// Adds to <paramref name="candidates"/> every span that starts with an anchored head and ends with a tail of a
    /// key with that head, in order of their ends.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="candidates">Receives the candidates; created on the first one.</param>
    /// <returns><see langword="false"/> when there were more than <see cref="MaxCandidates"/>: the list is incomplete.</returns>
    public bool FindCandidates<T>(ReadOnlySpan<T> text, ref List<Candidate>? candidates)
        where T : unmanaged, IBinaryInteger<T>
    {
        if (_heads.Length == 0)
        {
            return true;
        }

        var heads = ArrayPool<int>.Shared.Rent(Window);
        try
        {
            var at = 0;
            while (at <= text.Length - MinKeyLength)
            {
                var found = IndexOfHead(text[at..]);
                if (found < 0)
                {
                    break;
                }

                var runEnd = at + found + HeadLength;
                while (runEnd < text.Length && IsKeyChar(text[runEnd]))
                {
                    runEnd++;
                }

                if (!ScanRun(text, at + found, runEnd, heads, ref candidates))
                {
                    return false;
                }

                at = runEnd;
            }

            return true;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(heads);
        }
    }

    // One run of key characters [start, end) that starts with a head: every end position is looked up once by its
    // last four characters; the heads of the last 512 characters are kept in a ring.
    private bool ScanRun<T>(ReadOnlySpan<T> text, int start, int end, int[] ring, ref List<Candidate>? candidates)
        where T : unmanaged, IBinaryInteger<T>
    {
        var first = 0;
        var count = 0;
        var nextHeadCheck = start;
        for (var stop = start + MinKeyLength; stop <= end; stop++)
        {
            // Heads that can start a key ending at 'stop' begin at or before stop - 20.
            for (; nextHeadCheck <= stop - MinKeyLength; nextHeadCheck++)
            {
                if (_headSet.Contains(PackHead(text.Slice(nextHeadCheck, HeadLength))))
                {
                    if (count == ring.Length)
                    {
                        first = (first + 1) % ring.Length;
                        count--;
                    }

                    ring[(first + count) % ring.Length] = nextHeadCheck;
                    count++;
                }
            }

            while (count > 0 && ring[first] < stop - Window)
            {
                first = (first + 1) % ring.Length;
                count--;
            }

            if (count == 0 || !_byTail.TryGetValue(PackTail(text.Slice(stop - TailLength, TailLength)), out var anchors))
            {
                continue;
            }

            foreach (var anchor in anchors)
            {
                for (var i = 0; i < count; i++)
                {
                    var headAt = ring[(first + i) % ring.Length];
                    if (PackHead(text.Slice(headAt, HeadLength)) != anchor.Head)
                    {
                        continue;
                    }

                    candidates ??= [];
                    if (candidates.Count == MaxCandidates)
                    {
                        return false;
                    }

                    candidates.Add(new Candidate(headAt, stop - headAt, anchor.Provider, anchor.Kind));
                }
            }
        }

        return true;
    }

    private int IndexOfHead<T>(ReadOnlySpan<T> text)
        where T : unmanaged, IBinaryInteger<T>
    {
#if NET9_0_OR_GREATER
        if (typeof(T) == typeof(char) && _heads.Length > FewHeads)
        {
            return MemoryMarshal.Cast<T, char>(text).IndexOfAny(_headSearch!);
        }
#endif
        var best = -1;
        for (var i = 0; i < _heads.Length; i++)
        {
            // Each later head is only looked for before the best match so far.
            var within = best < 0 ? text : text[..(best + HeadLength - 1)];
            var found = typeof(T) == typeof(byte)
                ? MemoryMarshal.Cast<T, byte>(within).IndexOf(_utf8Heads[i])
                : MemoryMarshal.Cast<T, char>(within).IndexOf(_heads[i], StringComparison.Ordinal);
            if (found >= 0)
            {
                best = found;
            }
        }

        return best;
    }

    // The shape SecretValue gives a hint: three characters, '…', four characters, all of the key's alphabet.
    private static bool TryParse(string? hint, out string head, out string tail)
    {
        head = tail = string.Empty;
        if (hint is null || hint.Length != HeadLength + 1 + TailLength || hint[HeadLength] != '…')
        {
            return false;
        }

        for (var i = 0; i < hint.Length; i++)
        {
            if (i != HeadLength && !IsKeyChar(hint[i]))
            {
                return false;
            }
        }

        head = hint[..HeadLength];
        tail = hint[(HeadLength + 1)..];
        return true;
    }

    private static bool IsKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';

    private static bool IsKeyChar<T>(T c)
        where T : unmanaged, IBinaryInteger<T>
        => IsKeyChar((char)ushort.CreateTruncating(c));

    private static ulong PackHead(string head) => PackHead(head.AsSpan());

    private static ulong PackTail(string tail) => PackTail(tail.AsSpan());

    private static ulong PackHead<T>(ReadOnlySpan<T> head)
        where T : unmanaged, IBinaryInteger<T>
        => ulong.CreateTruncating(head[0]) | (ulong.CreateTruncating(head[1]) << 16) | (ulong.CreateTruncating(head[2]) << 32);

    private static ulong PackTail<T>(ReadOnlySpan<T> tail)
        where T : unmanaged, IBinaryInteger<T>
        => ulong.CreateTruncating(tail[0]) | (ulong.CreateTruncating(tail[1]) << 16) | (ulong.CreateTruncating(tail[2]) << 32) | (ulong.CreateTruncating(tail[3]) << 48);

    /// <summary>A span that may be a live managed key, and the provider and kind of the key it would be.</summary>
    /// <param name="Index">Where the span starts.</param>
    /// <param name="Length">The span's length.</param>
    /// <param name="Provider">The provider of the anchored key.</param>
    /// <param name="Kind">The kind of the anchored key.</param>
    public readonly record struct Candidate(int Index, int Length, ProviderId Provider, KeyKind Kind);

    private readonly record struct Anchor(ulong Head, ProviderId Provider, KeyKind Kind);
}
