using IronCage.Leaks.Scanning;
using Microsoft.Extensions.Compliance.Redaction;

namespace IronCage.Leaks.Redaction;

/// <summary>
/// Replaces every provider key shape (the scanner's rules) and every managed key's value (matched by keyed fingerprint,
/// never by plaintext: no key value is held) in a value with <see cref="Marker"/>, keeping the rest of the value.
/// </summary>
/// <remarks>
/// A redactor cannot wait: it uses the managed keys as last loaded and starts a reload in the background when the
/// store changed. A key registered since then is still redacted by its provider's shape; only a key of no known shape
/// depends on the reload.
/// </remarks>
internal sealed class KeyValueRedactor : Redactor
{
    /// <summary>What a key is replaced with.</summary>
    internal const string Marker = "[REDACTED]";

    private readonly ManagedKeyScannerSource _source;

    public KeyValueRedactor(ManagedKeyScannerSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
    }

    /// <inheritdoc />
    public override int GetRedactedLength(ReadOnlySpan<char> input)
    {
        var spans = Find(input);
        var length = input.Length;
        foreach (var (_, spanLength) in spans)
        {
            length += Marker.Length - spanLength;
        }

        return length;
    }

    /// <inheritdoc />
    public override int Redact(ReadOnlySpan<char> source, Span<char> destination)
    {
        var spans = Find(source);
        var written = 0;
        var from = 0;
        foreach (var (index, length) in spans)
        {
            source[from..index].CopyTo(destination[written..]);
            written += index - from;
            Marker.AsSpan().CopyTo(destination[written..]);
            written += Marker.Length;
            from = index + length;
        }

        source[from..].CopyTo(destination[written..]);
        return written + source.Length - from;
    }

    private List<(int Index, int Length)> Find(ReadOnlySpan<char> input)
    {
        _source.RefreshInBackground();
        var spans = new List<(int Index, int Length)>();
        if (!input.IsEmpty)
        {
            _source.Last.FindKeyValues(input, spans);
        }

        return spans;
    }
}
