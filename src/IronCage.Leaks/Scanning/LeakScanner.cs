using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Storage;

namespace IronCage.Leaks.Scanning;

/// <summary>
/// Scans text, streams, files, directory trees and git history for provider API keys, using every key format of the
/// provider catalog, and matches each finding to the managed keys by keyed fingerprint.
/// </summary>
/// <remarks>
/// Streams are read in fixed-size buffers and never loaded whole: a buffer is scanned up to its last complete line,
/// and the rest is carried into the next one, so a key split across two reads is found; a line longer than a buffer
/// is scanned in overlapping windows. Prefix-anchored shapes (<c>sk-ant-api03-</c>, <c>gsk_</c>, ...) are one
/// compiled regular expression; shapes without a prefix (Cohere, Mistral, Together, Fireworks, Azure) are only tried
/// on the lines around their keyword. A scanner is safe to use from several threads.
/// </remarks>
public sealed class LeakScanner
{
    private const int BufferChars = 64 * 1024;
    private const int BinaryProbeBytes = 8000;
    private readonly LeakRuleSet _rules;
    private readonly ISecretFingerprinter _fingerprinter;
    private readonly ManagedKeyIndex _managedKeys;
    private readonly ScanMeter? _meter;

    /// <summary>Creates a scanner.</summary>
    /// <param name="catalog">The provider catalog whose key formats are scanned for.</param>
    /// <param name="fingerprinter">The fingerprinter the managed keys' fingerprints were made with.</param>
    /// <param name="managedKeys">The managed keys findings are matched to; <see cref="ManagedKeyIndex.Empty"/> when omitted.</param>
    public LeakScanner(IProviderCatalog catalog, ISecretFingerprinter fingerprinter, ManagedKeyIndex? managedKeys = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(fingerprinter);
        _rules = new LeakRuleSet(catalog);
        _fingerprinter = fingerprinter;
        _managedKeys = managedKeys ?? ManagedKeyIndex.Empty;
    }

    private LeakScanner(LeakRuleSet rules, ISecretFingerprinter fingerprinter, ManagedKeyIndex managedKeys, ScanMeter? meter)
    {
        _rules = rules;
        _fingerprinter = fingerprinter;
        _managedKeys = managedKeys;
        _meter = meter;
    }

    /// <summary>Returns a scanner with the same compiled rules that matches findings to other managed keys.</summary>
    /// <param name="managedKeys">The managed keys.</param>
    /// <returns>The scanner.</returns>
    public LeakScanner WithManagedKeys(ManagedKeyIndex managedKeys)
    {
        ArgumentNullException.ThrowIfNull(managedKeys);
        return new LeakScanner(_rules, _fingerprinter, managedKeys, _meter);
    }

    /// <summary>
    /// Returns a scanner with the same rules and managed keys that reports its running totals (characters, files,
    /// commits) to <paramref name="progress"/> as it scans, for a count and a rate on long work. The totals add up
    /// over every scan the returned scanner runs; concurrent scans are counted together.
    /// </summary>
    /// <param name="progress">Receives the totals, on the scanning thread, at most every 64 K characters and after each file and commit.</param>
    /// <returns>The scanner.</returns>
    public LeakScanner WithProgress(IProgress<LeakScanProgress> progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return new LeakScanner(_rules, _fingerprinter, _managedKeys, new ScanMeter(progress));
    }

    internal ScanMeter? Meter => _meter;

    /// <summary>Creates a scanner that matches findings to the keys of a store, read now.</summary>
    /// <param name="catalog">The provider catalog whose key formats are scanned for.</param>
    /// <param name="fingerprinter">The fingerprinter the store's fingerprints were made with.</param>
    /// <param name="store">The key store.</param>
    /// <param name="cancellationToken">A token to cancel reading the store.</param>
    /// <returns>The scanner.</returns>
    public static async ValueTask<LeakScanner> CreateAsync(IProviderCatalog catalog, ISecretFingerprinter fingerprinter, IKeyStore store, CancellationToken cancellationToken = default)
    {
        var index = await ManagedKeyIndex.LoadAsync(store, fingerprinter, cancellationToken).ConfigureAwait(false);
        return new LeakScanner(catalog, fingerprinter, index);
    }

    /// <summary>Gets the managed keys findings are matched to.</summary>
    public ManagedKeyIndex ManagedKeys => _managedKeys;

    /// <summary>Scans a string.</summary>
    /// <param name="text">The text.</param>
    /// <param name="path">A name for the text in the findings' locations.</param>
    /// <returns>The findings, in the order they appear.</returns>
    public IReadOnlyList<LeakFinding> ScanText(string text, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var findings = new List<LeakFinding>();
        var position = default(TextPosition);
        ScanChunk(text, 0, text.Length, 0, ref position, path, commit: null, findings);
        return findings;
    }

    /// <summary>Scans a text reader to its end, a buffer at a time.</summary>
    /// <param name="reader">The reader.</param>
    /// <param name="path">A name for the input in the findings' locations.</param>
    /// <param name="cancellationToken">A token to cancel the scan.</param>
    /// <returns>The findings, in the order they appear.</returns>
    public async IAsyncEnumerable<LeakFinding> ScanAsync(TextReader reader, string? path = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var buffer = ArrayPool<char>.Shared.Rent(BufferChars);
        try
        {
            var filled = 0;
            var startAt = 0;
            long bufferOffset = 0;
            var position = default(TextPosition);
            var findings = new List<LeakFinding>();
            while (true)
            {
                var read = await reader.ReadAsync(buffer.AsMemory(filled, buffer.Length - filled), cancellationToken).ConfigureAwait(false);
                filled += read;
                var final = read == 0;
                if (!final && filled < buffer.Length)
                {
                    continue;
                }

                // Scan up to the last complete line; a line longer than what is left is cut, keeping a key's length.
                int limit, end;
                if (final)
                {
                    limit = end = filled;
                }
                else
                {
                    var lastNewline = buffer.AsSpan(startAt, filled - startAt).LastIndexOf('\n');
                    var cut = filled - LeakRuleSet.MaxKeyLength;
                    (limit, end) = lastNewline >= 0 && startAt + lastNewline + 1 >= cut
                        ? (startAt + lastNewline + 1, startAt + lastNewline + 1)
                        : (cut, filled);
                }

                findings.Clear();
                ScanChunk(buffer.AsSpan(0, end), startAt, limit, bufferOffset, ref position, path, commit: null, findings);
                _meter?.AddCharacters(limit - startAt);
                foreach (var finding in findings)
                {
                    yield return finding;
                }

                if (final)
                {
                    _meter?.Flush();
                    yield break;
                }

                // Carry the unscanned rest, with one character before it as context for the token boundary.
                var keep = limit - 1;
                Array.Copy(buffer, keep, buffer, 0, filled - keep);
                bufferOffset += keep;
                position.Cursor -= keep;
                filled -= keep;
                startAt = 1;
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>Scans a stream of text (UTF-8 unless it starts with another encoding's byte order mark).</summary>
    /// <param name="stream">The stream; it is read to its end and not disposed.</param>
    /// <param name="path">A name for the input in the findings' locations.</param>
    /// <param name="cancellationToken">A token to cancel the scan.</param>
    /// <returns>The findings, in the order they appear.</returns>
    public async IAsyncEnumerable<LeakFinding> ScanStreamAsync(Stream stream, string? path = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 16 * 1024, leaveOpen: true);
        await foreach (var finding in ScanAsync(reader, path, cancellationToken).ConfigureAwait(false))
        {
            yield return finding;
        }
    }

    /// <summary>Scans a file. A binary file (one with a NUL byte in its first 8,000 bytes, as git decides) yields nothing.</summary>
    /// <param name="path">The file.</param>
    /// <param name="displayPath">The path to report in locations; <paramref name="path"/> when omitted.</param>
    /// <param name="cancellationToken">A token to cancel the scan.</param>
    /// <returns>The findings, in the order they appear.</returns>
    public async IAsyncEnumerable<LeakFinding> ScanFileAsync(string path, string? displayPath = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            if (await IsBinaryAsync(stream, cancellationToken).ConfigureAwait(false))
            {
                yield break;
            }

            stream.Position = 0;
            await foreach (var finding in ScanStreamAsync(stream, displayPath ?? path, cancellationToken).ConfigureAwait(false))
            {
                yield return finding;
            }

            _meter?.FileDone();
        }
    }

    /// <summary>
    /// Scans every text file under a directory, skipping <c>.git</c> directories, binary files, symbolic links and entries
    /// with nothing to read (empty files, and the named pipes, sockets and device nodes a directory listing also holds).
    /// Locations carry paths relative to <paramref name="root"/>, with <c>/</c> separators.
    /// </summary>
    /// <param name="root">The directory.</param>
    /// <param name="cancellationToken">A token to cancel the scan.</param>
    /// <returns>The findings, file by file.</returns>
    public async IAsyncEnumerable<LeakFinding> ScanDirectoryAsync(string root, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        foreach (var file in EnumerateTextCandidates(root))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
            await foreach (var finding in ScanFileAsync(file, relative, cancellationToken).ConfigureAwait(false))
            {
                yield return finding;
            }
        }
    }

    /// <summary>
    /// Scans the lines every commit of a git repository added (all refs, through the <c>git</c> command line), so a
    /// key that was committed and later removed is still found, with the commit that added it.
    /// </summary>
    /// <param name="repository">The repository's work tree or git directory.</param>
    /// <param name="cancellationToken">A token to cancel the scan; it also stops git.</param>
    /// <returns>The findings, newest commit first.</returns>
    /// <exception cref="LeakScanException">git is not installed or the path is not a repository.</exception>
    public IAsyncEnumerable<LeakFinding> ScanGitHistoryAsync(string repository, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(repository);
        return new GitHistoryScan(this, repository).RunAsync(cancellationToken);
    }

    /// <summary>Returns the first value in a UTF-8 text that is a live managed key (current, pending or previous), if any.</summary>
    internal LeakFinding? FindLiveManagedKey(ReadOnlySpan<byte> utf8)
    {
        if (_managedKeys.Count == 0)
        {
            return null;
        }

        // Fast path: only spans that start and end like a live key's hint are fingerprinted. With few distinct heads
        // the bytes are searched as they are; the text is decoded only for many heads, for the rule search (when a
        // live version has no usable hint or a hostile text yields too many candidates) and to place a finding.
        var anchors = _managedKeys.LiveAnchors;
        if (anchors.SearchesUtf8 && !anchors.HasUnanchored)
        {
            List<ManagedKeyAnchors.Candidate>? candidates = null;
            var complete = anchors.FindCandidates(utf8, ref candidates);
            if (candidates is not null && LiveCandidate(utf8, candidates) is { } found)
            {
                return found;
            }

            if (complete)
            {
                return null;
            }
        }

        var chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(utf8.Length));
        var count = 0;
        try
        {
            count = Encoding.UTF8.GetChars(utf8, chars);
            return FindLiveManagedKey(chars.AsSpan(0, count));
        }
        finally
        {
            // The text may carry other secrets; pooled memory is handed back clean.
            chars.AsSpan(0, count).Clear();
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>Returns the first value in <paramref name="text"/> that is a live managed key (current, pending or previous), if any.</summary>
    internal LeakFinding? FindLiveManagedKey(ReadOnlySpan<char> text)
    {
        if (_managedKeys.Count == 0)
        {
            return null;
        }

        var anchors = _managedKeys.LiveAnchors;
        List<ManagedKeyAnchors.Candidate>? candidates = null;
        var complete = anchors.FindCandidates(text, ref candidates);
        if (candidates is not null)
        {
            foreach (var candidate in candidates)
            {
                var finding = Materialize(text.Slice(candidate.Index, candidate.Length), candidate.Provider, candidate.Kind, new LeakLocation { Column = candidate.Index + 1 });
                if (finding.Classification is LeakClassification.ManagedCurrent or LeakClassification.ManagedPrevious)
                {
                    return finding;
                }
            }
        }

        if (complete && !anchors.HasUnanchored)
        {
            return null;
        }

        var hits = new List<RawHit>();
        _rules.FindHits(text, 0, text.Length, hits);
        foreach (var hit in hits)
        {
            var finding = Materialize(text.Slice(hit.Index, hit.Length), hit.Rule.Provider, hit.Rule.Kind, new LeakLocation { Column = hit.Index + 1 });
            if (finding.Classification is LeakClassification.ManagedCurrent or LeakClassification.ManagedPrevious)
            {
                return finding;
            }
        }

        return null;
    }

    private LeakFinding? LiveCandidate(ReadOnlySpan<byte> utf8, List<ManagedKeyAnchors.Candidate> candidates)
    {
        Span<char> value = stackalloc char[LeakRuleSet.MaxKeyLength];
        try
        {
            foreach (var candidate in candidates)
            {
                // A candidate is ASCII (key characters only), one char per byte.
                var chars = value[..candidate.Length];
                for (var i = 0; i < chars.Length; i++)
                {
                    chars[i] = (char)utf8[candidate.Index + i];
                }

                var column = Encoding.UTF8.GetCharCount(utf8[..candidate.Index]) + 1;
                var finding = Materialize(chars, candidate.Provider, candidate.Kind, new LeakLocation { Column = column });
                if (finding.Classification is LeakClassification.ManagedCurrent or LeakClassification.ManagedPrevious)
                {
                    return finding;
                }
            }

            return null;
        }
        finally
        {
            value.Clear();
        }
    }

    /// <summary>
    /// Finds the spans of <paramref name="text"/> to redact: every key shape of the rules, and every other token of
    /// 16 to 512 characters whose fingerprint is a managed key version's; in order, not overlapping.
    /// </summary>
    internal void FindKeyValues(ReadOnlySpan<char> text, List<(int Index, int Length)> spans)
    {
        var hits = new List<RawHit>();
        _rules.FindHits(text, 0, text.Length, hits);
        var covered = 0;
        foreach (var hit in hits)
        {
            if (hit.Index >= covered)
            {
                spans.Add((hit.Index, hit.Length));
                covered = hit.Index + hit.Length;
            }
        }

        if (_managedKeys.Count == 0)
        {
            return;
        }

        var shapes = spans.Count;
        var at = 0;
        while (at < text.Length)
        {
            while (at < text.Length && !IsTokenChar(text[at]))
            {
                at++;
            }

            var start = at;
            while (at < text.Length && IsTokenChar(text[at]))
            {
                at++;
            }

            // Sentence punctuation after a token is not part of it.
            var length = at - start;
            while (length > 0 && text[start + length - 1] is '.' or '!' or '?')
            {
                length--;
            }

            if (length is >= 16 and <= LeakRuleSet.MaxKeyLength && !Overlaps(spans, shapes, start, length))
            {
                using var secret = SecretValue.FromChars(text.Slice(start, length));
                if (_managedKeys.Match(secret, _fingerprinter.Compute(secret)).Key is not null)
                {
                    spans.Add((start, length));
                }
            }
        }

        if (spans.Count > shapes)
        {
            spans.Sort((a, b) => a.Index.CompareTo(b.Index));
        }

        static bool IsTokenChar(char c) => !char.IsWhiteSpace(c) && c is not ('"' or '\'' or '`' or ',' or ';' or ':' or '=' or '(' or ')' or '[' or ']' or '{' or '}' or '<' or '>');

        static bool Overlaps(List<(int Index, int Length)> spans, int count, int start, int length)
        {
            for (var i = 0; i < count; i++)
            {
                if (spans[i].Index < start + length && start < spans[i].Index + spans[i].Length)
                {
                    return true;
                }
            }

            return false;
        }
    }

    internal void ScanLine(ReadOnlySpan<char> line, int lineNumber, string? path, string? commit, List<LeakFinding> findings)
    {
        var position = new TextPosition { Line = lineNumber - 1 };
        ScanChunk(line, 0, line.Length, 0, ref position, path, commit, findings);
    }

    /// <summary>Fingerprints a value found outside the scanner (a report, a webhook) and matches it to the managed keys.</summary>
    internal LeakFinding Materialize(ReadOnlySpan<char> value, ProviderId provider, KeyKind kind, LeakLocation location)
    {
        using var secret = SecretValue.FromChars(value);
        var fingerprint = _fingerprinter.Compute(secret);
        return new LeakFinding(provider, kind, location, Hint(value), fingerprint, _managedKeys.Match(secret, fingerprint));
    }

    /// <summary>Gets the providers the rules cover, longest id first (so <c>azure-openai</c> is tried before <c>openai</c>).</summary>
    internal IEnumerable<ProviderId> Providers => _rules.Rules.Select(r => r.Provider).Distinct().OrderByDescending(p => p.Value.Length);

    /// <summary>Finds the provider whose distinctive (prefix-anchored) key shape a whole value has.</summary>
    internal (ProviderId Provider, KeyKind Kind)? Identify(ReadOnlySpan<char> value)
    {
        foreach (var rule in _rules.Rules)
        {
            if (rule.RequiresContext)
            {
                continue;
            }

            if (rule.Exact.IsMatch(value))
            {
                return (rule.Provider, rule.Kind);
            }
        }

        return null;
    }

    internal static string Hint(ReadOnlySpan<char> value) =>
        value.Length < 12 ? "…" : string.Concat(value[..3], "…", value[^4..]);

    private void ScanChunk(ReadOnlySpan<char> text, int startAt, int limit, long bufferOffset, ref TextPosition position, string? path, string? commit, List<LeakFinding> findings)
    {
        var hits = new List<RawHit>();
        _rules.FindHits(text, startAt, limit, hits);
        foreach (var hit in hits)
        {
            position.AdvanceTo(text, hit.Index, bufferOffset);
            var column = (int)(bufferOffset + hit.Index - position.LineStart) + 1;
            var location = new LeakLocation { Path = path, Line = position.Line + 1, Column = column, Commit = commit };
            findings.Add(Materialize(text.Slice(hit.Index, hit.Length), hit.Rule.Provider, hit.Rule.Kind, location));
        }

        position.AdvanceTo(text, limit, bufferOffset);
    }

    private static async ValueTask<bool> IsBinaryAsync(Stream stream, CancellationToken cancellationToken)
    {
        var probe = ArrayPool<byte>.Shared.Rent(BinaryProbeBytes);
        try
        {
            var total = 0;
            int read;
            while (total < BinaryProbeBytes && (read = await stream.ReadAsync(probe.AsMemory(total, BinaryProbeBytes - total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            var head = probe.AsSpan(0, total);

            // UTF-16 and UTF-32 text has NUL bytes; its byte order mark says it is text.
            return !head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) && !head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) && !head.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0xFE, 0xFF])
                && head.Contains((byte)0);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(probe);
        }
    }

    private static long Length(string file)
    {
        try
        {
            return new FileInfo(file).Length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static IEnumerable<string> EnumerateTextCandidates(string root)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        var options = new EnumerationOptions { IgnoreInaccessible = true, RecurseSubdirectories = false, AttributesToSkip = FileAttributes.ReparsePoint, MatchType = MatchType.Simple };
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            foreach (var file in Directory.EnumerateFiles(directory, "*", options).Order(StringComparer.Ordinal))
            {
                // Named pipes, sockets and device nodes are listed as files and report no length: opening a pipe waits
                // for a writer forever. An empty regular file has nothing to scan either.
                if (Length(file) > 0)
                {
                    yield return file;
                }
            }

            foreach (var child in Directory.EnumerateDirectories(directory, "*", options).OrderDescending(StringComparer.Ordinal))
            {
                if (!string.Equals(Path.GetFileName(child), ".git", StringComparison.Ordinal))
                {
                    pending.Push(child);
                }
            }
        }
    }

    /// <summary>The line count and line start up to a cursor in the current buffer, carried across buffers.</summary>
    private struct TextPosition
    {
        public int Line;
        public long LineStart;
        public int Cursor;

        public void AdvanceTo(ReadOnlySpan<char> text, int index, long bufferOffset)
        {
            if (index <= Cursor)
            {
                return;
            }

            var span = text[Cursor..index];
            var newlines = span.Count('\n');
            if (newlines > 0)
            {
                Line += newlines;
                LineStart = bufferOffset + Cursor + span.LastIndexOf('\n') + 1;
            }

            Cursor = index;
        }
    }
}
