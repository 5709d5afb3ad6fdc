using System.Collections.Frozen;
using System.Text;

namespace IronCage;

/// <summary>
/// The authenticated call that proves a key works, as data: method, URL template, optional body, and the
/// rules that read the answer. <see cref="IKeyVerifier"/> runs it.
/// </summary>
/// <remarks>
/// The URL may hold placeholders in braces (<c>{endpoint}</c>, <c>{region}</c>) filled from the managed key's
/// scope or from <see cref="DefaultParameters"/>. A base-address override (an emulator, a proxy) replaces the
/// scheme, host and port and keeps the path.
/// </remarks>
public sealed class VerifyCall
{
    /// <summary>Creates a verify call.</summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="url">The absolute URL, possibly with <c>{placeholders}</c>.</param>
    public VerifyCall(HttpMethod method, string url)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        Method = method;
        Url = url;
        Placeholders = ParsePlaceholders(url);
    }

    /// <summary>Gets the HTTP method.</summary>
    public HttpMethod Method { get; }

    /// <summary>Gets the URL template.</summary>
    public string Url { get; }

    /// <summary>Gets the placeholder names the URL template uses.</summary>
    public IReadOnlyList<string> Placeholders { get; }

    /// <summary>Gets values for placeholders that the scope does not set (for example <c>region = us-east-1</c>).</summary>
    public IReadOnlyDictionary<string, string> DefaultParameters { get; init; } = FrozenDictionary<string, string>.Empty;

    /// <summary>Gets the request body, if the call sends one.</summary>
    public string? Body { get; init; }

    /// <summary>Gets the body's content type.</summary>
    /// <value>The default value is <c>application/json</c>.</value>
    public string ContentType { get; init; } = "application/json";

    /// <summary>Gets rules specific to this call's answer (checked before the provider's general error rules).</summary>
    public IReadOnlyList<ResponseRule> Rules { get; init; } = [];

    /// <summary>Gets what a successful answer means, in words (for docs and diagnostics).</summary>
    public string? SuccessMeans { get; init; }

    /// <summary>Builds the request URI.</summary>
    /// <param name="parameters">Placeholder values (usually the managed key's scope); they win over <see cref="DefaultParameters"/>.</param>
    /// <param name="baseAddress">Replaces scheme, host and port (and prefixes its path), for emulators and proxies.</param>
    /// <returns>The absolute request URI.</returns>
    /// <exception cref="IronCageException">A placeholder has no value, or the result is not an absolute http(s) URI.</exception>
    public Uri ResolveUri(IReadOnlyDictionary<string, string>? parameters = null, Uri? baseAddress = null)
    {
        var builder = new StringBuilder(Url);
        foreach (var name in Placeholders)
        {
            string? value = null;
            if (parameters is not null && parameters.TryGetValue(name, out var fromScope) && !string.IsNullOrWhiteSpace(fromScope))
            {
                value = fromScope;
            }
            else if (DefaultParameters.TryGetValue(name, out var fallback))
            {
                value = fallback;
            }

            if (value is null)
            {
                throw new IronCageException($"The verify call '{Url}' needs a value for '{name}'. Set '{name}' in the managed key's scope.");
            }

            builder.Replace("{" + name + "}", value.TrimEnd('/'));
        }

        if (!Uri.TryCreate(builder.ToString(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new IronCageException($"The verify call '{Url}' did not resolve to an absolute http(s) URI. Check the values set for {string.Join(", ", Placeholders)}.");
        }

        if (baseAddress is null)
        {
            return uri;
        }

        if (!baseAddress.IsAbsoluteUri)
        {
            throw new IronCageException($"The base address override '{baseAddress}' must be absolute, for example http://127.0.0.1:5000/.");
        }

        var prefix = baseAddress.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return new Uri(prefix + uri.PathAndQuery, UriKind.Absolute);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Method} {Url}";

    private static string[] ParsePlaceholders(string url)
    {
        var names = new List<string>();
        var start = url.IndexOf('{', StringComparison.Ordinal);
        while (start >= 0)
        {
            var end = url.IndexOf('}', start + 1);
            if (end < 0)
            {
                throw new ArgumentException($"The URL template '{url}' has an unclosed '{{'.", nameof(url));
            }

            var name = url[(start + 1)..end];
            if (name.Length == 0)
            {
                throw new ArgumentException($"The URL template '{url}' has an empty placeholder.", nameof(url));
            }

            if (!names.Contains(name))
            {
                names.Add(name);
            }

            start = url.IndexOf('{', end + 1);
        }

        return [.. names];
    }
}
