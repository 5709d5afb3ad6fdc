namespace IronCage.Providers.Http.Internal;

/// <summary>
/// The innermost handler of a provider client: reads every answer's body into memory, at most
/// <see cref="ProviderHttpConstants.MaxResponseBytes"/>, inside the attempt (so the attempt timeout covers a body that
/// trickles in and the retry decision can read the body, as IAM's throttling answer needs).
/// </summary>
internal sealed class ProviderResponseBuffer : DelegatingHandler
{
    /// <summary>How much of an error answer is read: enough for any provider's error JSON, and a hostile body of any size costs no more.</summary>
    public const int MaxErrorBodyBytes = 64 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            var body = await ReadBoundedAsync(response, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// Reads a body up to the bound (<see cref="ProviderHttpConstants.MaxResponseBytes"/>, or
    /// <see cref="MaxErrorBodyBytes"/> for an error answer, which is only classified); every outgrown buffer is zeroed,
    /// since a create answer holds a new secret.
    /// </summary>
    public static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var content = response.Content;
        var bound = response.IsSuccessStatusCode ? ProviderHttpConstants.MaxResponseBytes : MaxErrorBodyBytes;
        if (content is ProviderResponseContent buffered)
        {
            return buffered.Body;
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[Math.Min(16 * 1024, bound)];
            var total = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
                if (total == buffer.Length)
                {
                    if (buffer.Length >= bound)
                    {
                        break;
                    }

                    var larger = new byte[Math.Min(buffer.Length * 2, bound)];
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
