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
                if (request.Headers.Authorization is { } stand && IsPlaceholder(stand))
                {
                    // An SDK given the placeholder as a bearer token (Anthropic's AuthToken): only the real key goes out.
                    request.Headers.Authorization = null;
                }

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
                // Only a request this handler put its key on comes here, so the header is ours (or a replacement an
                // inner handler made of it): removed without reading it back, which would parse it under a lock.
                request.Headers.Remove("Authorization");
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

    /// <summary>Tells whether the caller put credentials of its own on the request; <see cref="IronCageSdk.PlaceholderKey"/> (an SDK client's stand-in) does not count.</summary>
    public static bool CallerSetCredentials(HttpRequestMessage request, AuthScheme auth) => auth.Kind switch
    {
        AuthSchemeKind.Bearer => request.Headers.Authorization is { } given && !IsPlaceholder(given),
        AuthSchemeKind.Header => HasOwnHeader(request, auth.Name) || (auth.AlternativeQueryParameter is { } query && HasQueryParameter(request.RequestUri, query)),
        _ => HasQueryParameter(request.RequestUri, auth.Name),
    };

    private static bool IsPlaceholder(System.Net.Http.Headers.AuthenticationHeaderValue value)
        => string.Equals(value.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase) && string.Equals(value.Parameter, IronCageSdk.PlaceholderKey, StringComparison.Ordinal);

    private static bool HasOwnHeader(HttpRequestMessage request, string name)
        => request.Headers.NonValidated.TryGetValues(name, out var values) && !(values.Count == 1 && string.Equals(values.ToString(), IronCageSdk.PlaceholderKey, StringComparison.Ordinal));

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
