using IronCage.Http;

namespace IronCage.Http;

/// <summary>
/// Keeps the primary handler below the key handler from following redirects: .NET drops <c>Authorization</c> when it
/// follows one to another origin, but not <c>x-api-key</c>, <c>api-key</c>, <c>x-goog-api-key</c> or a <c>?key=</c>
/// query, so a followed redirect would hand the key to whichever origin the answer names. The caller gets the 3xx
/// answer instead (docs/security.md).
/// </summary>
internal static class RedirectGuard
{
    /// <summary>Turns automatic redirects off on a primary handler the factory hands over, before it has sent anything.</summary>
    /// <param name="handler">The primary handler.</param>
    public static void DisableAutoRedirect(HttpMessageHandler handler)
    {
        switch (handler)
        {
            case SocketsHttpHandler { AllowAutoRedirect: true } sockets:
                sockets.AllowAutoRedirect = false;
                break;
            case HttpClientHandler { AllowAutoRedirect: true } client:
                client.AllowAutoRedirect = false;
                break;
        }
    }

    /// <summary>
    /// Walks the handlers below <paramref name="top"/> to the primary one and turns its automatic redirects off; a
    /// host may have replaced the primary handler after <c>AddIronCageKey</c>, so this runs before the first request.
    /// </summary>
    /// <param name="top">The key handler.</param>
    /// <param name="key">The key the client carries, named in the message.</param>
    /// <exception cref="IronCageException">The primary handler follows redirects and has already sent requests, so it can no longer be changed.</exception>
    public static void EnsureNotFollowed(DelegatingHandler top, string key)
    {
        HttpMessageHandler? handler = top.InnerHandler;
        while (handler is DelegatingHandler delegating)
        {
            handler = delegating.InnerHandler;
        }

        if (handler is null)
        {
            return;
        }

        try
        {
            DisableAutoRedirect(handler);
        }
        catch (InvalidOperationException)
        {
            // The handler already sent requests (it is shared with another client): it can no longer be changed.
            throw new IronCageException($"The HttpClient that carries IronCage key '{key}' has a primary handler ({handler.GetType().Name}) that follows redirects and is shared with other clients, so IronCage cannot switch that off; a followed redirect would carry the key to another origin. Give the client its own primary handler with AllowAutoRedirect = false.");
        }
    }
}
