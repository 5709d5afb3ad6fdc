using IronCage.Http;
using IronCage.Providers;

namespace IronCage.Http;

/// <summary>Puts a resolved key on a request with its provider's auth scheme, and tells whether the caller already set one.</summary>
internal static class KeyAuth
{
    // Our own key from an earlier attempt is replaced; the auth scheme's other headers (anthropic-version) stay as the
    // caller or the first attempt set them. The header value is built once per key version, not per request.
    public static void Apply(HttpRequestMessage request, ResolvedKey key)
    {
        var auth = key.Provider.Auth;
        switch (auth.Kind)
        {
            case AuthSchemeKind.Bearer:
                request.Headers.Authorization = key.BearerHeader();
                break;
            case AuthSchemeKind.Header:
                request.Headers.Remove(auth.Name);
                request.Headers.TryAddWithoutValidation(auth.Name, key.RevealCached());
                break;
            default:
                key.ApplyTo(request, overwrite: true);
                return;
        }

        foreach (var (name, value) in auth.AdditionalHeaders)
        {
            if (!request.Headers.Contains(name))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }
    }

    /// <summary>
    /// Takes the key off a request once its answer is in, so that the request object (which callers log, and which a
    /// resilience handler outside sends again) no longer carries it, and a retry from outside is resolved afresh rather
    /// than mistaken for a request the caller put its own key on.
    /// </summary>
    public static void Remove(HttpRequestMessage request, ResolvedKey key, Uri? addressedTo)
    {
        var auth = key.Provider.Auth;
        switch (auth.Kind)
        {
            case AuthSchemeKind.Bearer:
                if (ReferenceEquals(request.Headers.Authorization, key.BearerHeader()))
                {
                    request.Headers.Authorization = null;
                }

                break;
            case AuthSchemeKind.Header:
                request.Headers.Remove(auth.Name);
                break;
            default:
                if (addressedTo is not null && SameOrigin(addressedTo, request.RequestUri))
                {
                    request.RequestUri = addressedTo;
                }

                break;
        }
    }

    public static bool CallerSetCredentials(HttpRequestMessage request, AuthScheme auth) => auth.Kind switch
    {
        AuthSchemeKind.Bearer => request.Headers.Authorization is not null,
        AuthSchemeKind.Header => request.Headers.Contains(auth.Name) || (auth.AlternativeQueryParameter is { } query && HasQueryParameter(request.RequestUri, query)),
        _ => HasQueryParameter(request.RequestUri, auth.Name),
    };

    /// <summary>Tells whether two addresses share scheme, host and port: a key sent to one may be sent again to the other.</summary>
    public static bool SameOrigin(Uri? first, Uri? second)
        => first is not null && second is not null && first.IsAbsoluteUri && second.IsAbsoluteUri
            && Uri.Compare(first, second, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    private static bool HasQueryParameter(Uri? uri, string name)
    {
        if (uri is null || !uri.IsAbsoluteUri || string.IsNullOrEmpty(uri.Query))
        {
            return false;
        }

        foreach (var part in uri.Query.TrimStart('?').Split('&'))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (string.Equals(equals < 0 ? part : part[..equals], name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
