using System.Net;
using IronCage.Http;

namespace IronCage.Http;

/// <summary>Replaces a response's content with the same bytes read through a <see cref="UsageCaptureStream"/>.</summary>
internal sealed class UsageCapturingContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly UsageCapture _capture;
    private readonly bool _eventStream;
    private readonly int _maxBytes;

    public UsageCapturingContent(HttpContent inner, UsageCapture capture, bool eventStream, int maxBytes)
    {
        _inner = inner;
        _capture = capture;
        _eventStream = eventStream;
        _maxBytes = maxBytes;
        // Copied as they arrived: a transport's headers are still unparsed strings, which are shared as they are (reading
        // ContentType would parse it, under a lock, for a caller that may never look).
        foreach (var header in inner.Headers.NonValidated)
        {
            if (header.Value.Count == 1)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value.ToString());
            }
            else
            {
                Headers.TryAddWithoutValidation(header.Key, [.. header.Value]);
            }
        }
    }

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
        => Wrap(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => Wrap(_inner.ReadAsStream(cancellationToken));

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var source = await CreateContentReadStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            await source.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        }
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
            _inner.Dispose();

            // A response disposed without its body being read still counts as a call.
            _capture.Complete(endOfBody: false, problem: null);
        }

        base.Dispose(disposing);
    }

    private UsageCaptureStream Wrap(Stream inner) => new(inner, _capture, _eventStream, _maxBytes);
}
