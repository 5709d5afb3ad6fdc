namespace IronCage.Providers.Http.Internal;

/// <summary>
/// The innermost handler of a provider client: reads every answer's body into memory, at most
/// <see cref="ProviderHttpConstants.MaxResponseBytes"/>, inside the attempt (so the attempt timeout covers a body that
/// trickles in and the retry decision can read the body, as IAM's throttling answer needs).
/// </summary>
internal sealed class ProviderResponseBuffer : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            var body = await ReadBoundedAsync(response.Content, cancellationToken).ConfigureAwait(false);
            var content = new ProviderResponseContent(body);
            foreach (var (name, values) in response.Content.Headers)
            {
                if (!string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    content.Headers.TryAddWithoutValidation(name, values);
                }
            }

            response.Content.Dispose();
            response.Content = content;
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Reads a body up to the bound; every outgrown buffer is zeroed, since a create answer holds a new secret.</summary>
    public static async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content is ProviderResponseContent buffered)
        {
            return buffered.Body;
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[16 * 1024];
            var total = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
                if (total == buffer.Length)
                {
                    if (buffer.Length >= ProviderHttpConstants.MaxResponseBytes)
                    {
                        break;
                    }

                    var larger = new byte[buffer.Length * 2];
                    buffer.AsSpan(0, total).CopyTo(larger);
                    Array.Clear(buffer);
                    buffer = larger;
                }
            }

            var body = buffer.AsSpan(0, total).ToArray();
            Array.Clear(buffer);
            return body;
        }
    }
}
