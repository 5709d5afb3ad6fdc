namespace IronCage.Testing.Emulator.Internal;

/// <summary>
/// Sends requests for a cloud service's public host names to the emulator's loopback server instead, keeping the
/// original <c>Host</c> header (so a SigV4 signature over it still verifies and the emulator answers with public URLs).
/// </summary>
internal sealed class LoopbackRedirectHandler : DelegatingHandler
{
    private readonly Func<Uri, Uri?> _map;

    /// <summary>Creates the handler.</summary>
    /// <param name="map">Maps a public request URI to the loopback URI serving it, or <see langword="null"/> to refuse it.</param>
    public LoopbackRedirectHandler(Func<Uri, Uri?> map)
        : base(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        _map = map;
    }

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var original = request.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
        if (original.IsLoopback)
        {
            return base.SendAsync(request, cancellationToken);
        }

        var target = _map(original) ?? throw new HttpRequestException($"The emulator does not serve {original.Host}; only its own services are reachable through this handler.");
        request.Headers.Host ??= original.Authority;
        request.RequestUri = target;
        return base.SendAsync(request, cancellationToken);
    }
}
