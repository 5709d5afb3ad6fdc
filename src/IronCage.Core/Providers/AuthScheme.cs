using System.Collections.Frozen;

namespace IronCage.Providers;

/// <summary>How a provider's requests carry the key, plus any header every request must send (for example <c>anthropic-version</c>).</summary>
public sealed class AuthScheme
{
    private AuthScheme(AuthSchemeKind kind, string name, IReadOnlyDictionary<string, string>? additionalHeaders, string? alternativeQueryParameter)
    {
        Kind = kind;
        Name = name;
        AdditionalHeaders = additionalHeaders is null
            ? FrozenDictionary<string, string>.Empty
            : additionalHeaders.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        AlternativeQueryParameter = alternativeQueryParameter;
    }

    /// <summary>Gets <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    public static AuthScheme Bearer { get; } = new(AuthSchemeKind.Bearer, "Authorization", null, null);

    /// <summary>Gets where the key goes.</summary>
    public AuthSchemeKind Kind { get; }

    /// <summary>Gets the header or query parameter name (<c>Authorization</c> for bearer).</summary>
    public string Name { get; }

    /// <summary>Gets headers every request must carry besides the key (for example <c>anthropic-version: 2023-06-01</c>).</summary>
    public IReadOnlyDictionary<string, string> AdditionalHeaders { get; }

    /// <summary>Gets a query parameter the provider also accepts instead of the header (Gemini's <c>?key=</c>), if any.</summary>
    public string? AlternativeQueryParameter { get; }

    /// <summary>Creates a header scheme.</summary>
    /// <param name="headerName">The header that carries the key.</param>
    /// <param name="additionalHeaders">Headers every request must carry besides the key.</param>
    /// <param name="alternativeQueryParameter">A query parameter the provider also accepts, if any.</param>
    /// <returns>The scheme.</returns>
    public static AuthScheme Header(string headerName, IReadOnlyDictionary<string, string>? additionalHeaders = null, string? alternativeQueryParameter = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(headerName);
        return new AuthScheme(AuthSchemeKind.Header, headerName, additionalHeaders, alternativeQueryParameter);
    }

    /// <summary>Creates a bearer scheme with headers every request must carry.</summary>
    /// <param name="additionalHeaders">Headers besides <c>Authorization</c>.</param>
    /// <returns>The scheme.</returns>
    public static AuthScheme BearerWith(IReadOnlyDictionary<string, string> additionalHeaders)
        => new(AuthSchemeKind.Bearer, "Authorization", additionalHeaders, null);

    /// <summary>Creates a query-parameter scheme.</summary>
    /// <param name="parameterName">The query parameter that carries the key.</param>
    /// <returns>The scheme.</returns>
    public static AuthScheme QueryParameter(string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(parameterName);
        return new AuthScheme(AuthSchemeKind.QueryParameter, parameterName, null, null);
    }

    /// <summary>
    /// Puts the key and the additional headers on a request. Headers the caller already set are kept unless
    /// <paramref name="overwrite"/> is <see langword="true"/>.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="key">The key.</param>
    /// <param name="overwrite">Whether to replace a key or header the caller set on purpose.</param>
    public void Apply(HttpRequestMessage request, SecretValue key, bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(key);

        switch (Kind)
        {
            case AuthSchemeKind.Bearer:
                if (overwrite || request.Headers.Authorization is null)
                {
                    request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key.Reveal());
                }

                break;
            case AuthSchemeKind.Header:
                SetHeader(request, Name, key.Reveal(), overwrite);
                break;
            case AuthSchemeKind.QueryParameter:
                request.RequestUri = WithQueryParameter(request.RequestUri, Name, key, overwrite);
                break;
        }

        foreach (var (name, value) in AdditionalHeaders)
        {
            SetHeader(request, name, value, overwrite);
        }
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        AuthSchemeKind.Bearer => "Authorization: Bearer",
        AuthSchemeKind.Header => $"header {Name}",
        _ => $"query ?{Name}=",
    };

    private static void SetHeader(HttpRequestMessage request, string name, string value, bool overwrite)
    {
        if (request.Headers.Contains(name))
        {
            if (!overwrite)
            {
                return;
            }

            request.Headers.Remove(name);
        }

        request.Headers.TryAddWithoutValidation(name, value);
    }

    private static Uri WithQueryParameter(Uri? uri, string name, SecretValue key, bool overwrite)
    {
        if (uri is null || !uri.IsAbsoluteUri)
        {
            throw new InvalidOperationException("A query-parameter key needs an absolute request URI; set the request URI (or the HttpClient's BaseAddress) before the key is applied.");
        }

        var query = uri.Query;
        var prefix = name + "=";
        var parts = query.Length > 1 ? query[1..].Split('&', StringSplitOptions.RemoveEmptyEntries).ToList() : [];
        var existing = parts.FindIndex(p => p.StartsWith(prefix, StringComparison.Ordinal));
        if (existing >= 0 && !overwrite)
        {
            return uri;
        }

        var pair = prefix + Uri.EscapeDataString(key.Reveal());
        if (existing >= 0)
        {
            parts[existing] = pair;
        }
        else
        {
            parts.Add(pair);
        }

        return new UriBuilder(uri) { Query = string.Join('&', parts) }.Uri;
    }
}
