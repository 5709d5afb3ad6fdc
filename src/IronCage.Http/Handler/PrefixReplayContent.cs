using System.Net;
using IronCage.Http;

namespace IronCage.Http;

/// <summary>
/// A response body whose first bytes were read for classification: it hands the caller those bytes and then the rest
/// of the original stream, unchanged and unbuffered. Only the prefix is held in memory, so a hostile error body of any
/// size costs the handlers <see cref="ProviderAnswer.ClassifiedPrefixBytes"/> at most.
/// </summary>
internal sealed class PrefixReplayContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly Stream _rest;
    private readonly byte[] _prefix;
    private readonly int _prefixLength;

    private PrefixReplayContent(HttpContent inner, Stream rest, byte[] prefix, int prefixLength)
    {
        _inner = inner;
        _rest = rest;
        _prefix = prefix;
        _prefixLength = prefixLength;
        foreach (var header in inner.Headers.NonValidated)
        {
            Headers.TryAddWithoutValidation(header.Key, [.. header.Value]);
        }
    }

    /// <summary>Gets the bytes read for classification: the whole body when it is shorter than the bound.</summary>
    public ReadOnlyMemory<byte> Prefix => _prefix.AsMemory(0, _prefixLength);

    /// <summary>Reads up to <paramref name="maxBytes"/> of <paramref name="content"/> and returns a content that replays them before the rest.</summary>
    public static async Task<PrefixReplayContent> ReadAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var declared = content.Headers.ContentLength;
        var prefix = new byte[declared is { } length && length < maxBytes ? (int)length : maxBytes];
        var total = 0;
        try
        {
            int read;
            while (total < prefix.Length && (read = await stream.ReadAsync(prefix.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new PrefixReplayContent(content, stream, prefix, total);
    }

    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(new ReplayStream(this));

    protected override Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) => CreateContentReadStreamAsync();

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => new ReplayStream(this);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(Prefix, cancellationToken).ConfigureAwait(false);
        await _rest.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _rest.Dispose();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The prefix, then the rest of the original stream.</summary>
    private sealed class ReplayStream(PrefixReplayContent content) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (TakePrefix(buffer) is var taken and > 0)
            {
                return taken;
            }

            return content._rest.Read(buffer);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (TakePrefix(buffer.Span) is var taken and > 0)
            {
                return ValueTask.FromResult(taken);
            }

            return content._rest.ReadAsync(buffer, cancellationToken);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                content._rest.Dispose();
            }

            base.Dispose(disposing);
        }

        private int TakePrefix(Span<byte> buffer)
        {
            var left = content._prefixLength - _position;
            if (left <= 0 || buffer.IsEmpty)
            {
                return 0;
            }

            var taken = Math.Min(left, buffer.Length);
            content._prefix.AsSpan(_position, taken).CopyTo(buffer);
            _position += taken;
            return taken;
        }
    }
}
