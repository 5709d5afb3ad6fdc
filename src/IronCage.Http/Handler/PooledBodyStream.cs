using System.Buffers;
using IronCage.Http;

namespace IronCage.Http;

/// <summary>
/// A write-only stream that keeps what is written to it in an array rented from the shared pool, up to a cap; past
/// the cap it only counts. Reading a request body for an estimate this way copies it once into a reused buffer instead
/// of into a new (for bodies over 85 KB, large-object-heap) array per request.
/// </summary>
internal sealed class PooledBodyStream(int maxBytes, int sizeHint) : Stream
{
    private byte[]? _buffer;
    private int _length;

    public long Written { get; private set; }

    public bool Overflowed => Written > maxBytes;

    public ReadOnlySpan<byte> Body => Overflowed || _buffer is null ? ReadOnlySpan<byte>.Empty : _buffer.AsSpan(0, _length);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => Written;

    public override long Position
    {
        get => Written;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Written += buffer.Length;
        if (Overflowed)
        {
            Return();
            return;
        }

        if (_buffer is null || _buffer.Length < _length + buffer.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Min(maxBytes, Math.Max(Math.Max(sizeHint, _length + buffer.Length), (_buffer?.Length ?? 0) * 2)));
            _buffer?.AsSpan(0, _length).CopyTo(grown);
            Return();
            _buffer = grown;
        }

        buffer.CopyTo(_buffer.AsSpan(_length));
        _length += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        Return();
        base.Dispose(disposing);
    }

    private void Return()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            _length = 0;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
