using System.Buffers;
using IronCage.Http;

namespace IronCage.Http;

/// <summary>
/// A read-only stream over a response body that hands every byte to the caller unchanged and, on the side, reads the
/// provider's token usage: a JSON body is kept (up to a cap) and read at its end; a server-sent-event stream is read
/// line by line as it passes, so the caller sees each event as soon as it arrives. When the body ends or the stream
/// is disposed, <see cref="UsageCapture.Complete"/> runs once.
/// </summary>
internal sealed class UsageCaptureStream : Stream
{
    private readonly Stream _inner;
    private readonly UsageCapture _capture;
    private readonly bool _eventStream;
    private readonly int _maxBytes;
    private byte[]? _buffer;
    private int _length;
    private bool _overflow;

    public UsageCaptureStream(Stream inner, UsageCapture capture, bool eventStream, int maxBytes)
    {
        _inner = inner;
        _capture = capture;
        _eventStream = eventStream;
        _maxBytes = maxBytes;
    }

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
        var read = _inner.Read(buffer);
        Observe(buffer[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Observe(buffer.Span[..read]);
        return read;
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
            Finish(endOfBody: false);
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        Finish(endOfBody: false);
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void Observe(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            Finish(endOfBody: true);
            return;
        }

        if (_capture.IsCompleted)
        {
            return;
        }

        if (!_eventStream)
        {
            Append(data);
            return;
        }

        // Server-sent events: complete lines are read as they pass; a partial line waits in the buffer.
        while (!data.IsEmpty)
        {
            var newline = data.IndexOf((byte)'\n');
            if (newline < 0)
            {
                Append(data);
                return;
            }

            if (_length == 0)
            {
                ReadLine(data[..newline]);
            }
            else
            {
                Append(data[..newline]);
                ReadLine(_buffer.AsSpan(0, _length));
                _length = 0;
                _overflow = false;
            }

            data = data[(newline + 1)..];
        }
    }

    private void ReadLine(ReadOnlySpan<byte> line)
    {
        if (_overflow || !line.StartsWith("data:"u8))
        {
            return;
        }

        var payload = line[5..].Trim((byte)' ').TrimEnd((byte)'\r');
        if (payload.IndexOf("sage"u8) >= 0)
        {
            _capture.ReadJson(payload);
        }
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_overflow)
        {
            return;
        }

        if (_length + data.Length > _maxBytes)
        {
            _overflow = true;
            return;
        }

        if (_buffer is null || _buffer.Length < _length + data.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(_length + data.Length, Math.Min(_maxBytes, (_buffer?.Length ?? 1024) * 2)));
            if (_buffer is not null)
            {
                _buffer.AsSpan(0, _length).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(_buffer);
            }

            _buffer = grown;
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    private void Finish(bool endOfBody)
    {
        if (_capture.IsCompleted)
        {
            ReturnBuffer();
            return;
        }

        if (endOfBody && !_eventStream && !_overflow && _length > 0)
        {
            _capture.ReadJson(_buffer.AsSpan(0, _length));
        }
        else if (endOfBody && _eventStream && _length > 0 && !_overflow)
        {
            ReadLine(_buffer.AsSpan(0, _length));
        }

        ReturnBuffer();
        _capture.Complete(endOfBody, _overflow ? "the body is larger than MaxUsageBodyBytes" : null);
    }

    private void ReturnBuffer()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            _length = 0;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
