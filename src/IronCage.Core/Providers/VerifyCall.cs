using System.Collections.Frozen;
using System.Text;
using IronCage.Internal;
using IronCage.Verification;

namespace IronCage.Providers;

/// <summary>
/// The authenticated call that proves a key works, as data: method, URL template, optional body, and the
/// rules that read the answer. <see cref="ICatalogKeyVerifier"/> runs it, for <see cref="IKeyVerifier"/> and for adapters.
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
    public IReadOnlyDictionary<string, string> DefaultParameters { get; init => field = Frozen.Map(value); } = FrozenDictionary<string, string>.Empty;

    /// <summary>Gets the request body, if the call sends one.</summary>
    public string? Body { get; init; }

    /// <summary>Gets the body's content type.</summary>
    /// <value>The default value is <c>application/json</c>.</value>
    public string ContentType { get; init; } = "application/json";

    /// <summary>Gets rules specific to this call's answer (checked before the provider's general error rules).</summary>
    public IReadOnlyList<ResponseRule> Rules { get; init => field = Frozen.List(value); } = [];

    /// <summary>
    /// Gets the host suffixes a URL built from placeholders must end with (for example <c>.openai.azure.com</c>), so a
    /// scope value can never send the key to another host. Empty when the template fixes the host itself.
    /// </summary>
    public IReadOnlyList<string> AllowedHostSuffixes { get; init => field = Frozen.List(value); } = [];

    /// <summary>Gets what a successful answer means, in words (for docs and diagnostics).</summary>
    public string? SuccessMeans { get; init; }

    /// <summary>
    /// Gets the documented shapes of a successful answer: a 2xx counts as a valid key only when its body has one of
    /// them; any other 2xx is <see cref="ProviderErrorKind.UnexpectedAnswer"/>. Empty: any 2xx counts (a host
    /// descriptor whose provider documents no body).
    /// </summary>
    public IReadOnlyList<ResponseShape> SuccessShapes { get; init => field = Frozen.List(value); } = [];

    /// <summary>Tells whether a 2xx answer's body has one of the <see cref="SuccessShapes"/> (always, when there are none).</summary>
    /// <param name="body">The body, or a bounded prefix of it.</param>
    /// <param name="isComplete"><see langword="false"/> when <paramref name="body"/> may have been cut off at a bound.</param>
    /// <returns><see langword="true"/> when the answer is the documented success.</returns>
    public bool IsDocumentedSuccess(ReadOnlySpan<byte> body, bool isComplete = true)
    {
        foreach (var shape in SuccessShapes)
        {
            if (shape.Matches(body, isComplete))
            {
                return true;
            }
        }

        return SuccessShapes.Count == 0;
    }

    /// <summary>Builds the request URI.</summary>
    /// <param name="parameters">Placeholder values (usually the managed key's scope); they win over <see cref="DefaultParameters"/>.</param>
    /// <param name="baseAddress">Replaces scheme, host and port (and prefixes its path), for emulators and proxies; http is allowed here.</param>
    /// <returns>The absolute request URI.</returns>
    /// <exception cref="IronCageException">
    /// A placeholder has no value or an unsafe one (a URL where a name belongs, a URL with credentials or a query, a
    /// host outside <see cref="AllowedHostSuffixes"/>), or the result is not https (http only for loopback).
    /// </exception>
    public Uri ResolveUri(IReadOnlyDictionary<string, string>? parameters = null, Uri? baseAddress = null)
    {
        var builder = new StringBuilder(Url);
        foreach (var name in Placeholders)
        {
            string? value = null;
            if (parameters is not null && parameters.TryGetValue(name, out var fromScope) && !string.IsNullOrWhiteSpace(fromScope))
            {
                value = fromScope.Trim();
            }
            else if (DefaultParameters.TryGetValue(name, out var fallback))
            {
                value = fallback;
            }

            if (value is null)
            {
                throw new IronCageException($"The verify call '{Url}' needs a value for '{name}'. Set '{name}' in the managed key's scope.");
            }

            var token = "{" + name + "}";
            if (Url.StartsWith(token, StringComparison.Ordinal))
            {
                value = CheckEndpoint(name, value);
            }
            else if (!IsSimpleName(value))
            {
                throw new IronCageException($"The value of '{name}' for the verify call '{Url}' may only hold letters, digits and dashes (for example 'us-east-1').");
            }

            builder.Replace(token, value);
        }

        if (!Uri.TryCreate(builder.ToString(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new IronCageException($"The verify call '{Url}' did not resolve to an absolute http(s) URI. Check the values set for {string.Join(", ", Placeholders)}.");
        }

        if (AllowedHostSuffixes.Count > 0 && !AllowedHostSuffixes.Any(suffix => uri.Host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)))
        {
            throw new IronCageException($"The verify call would go to '{uri.Host}', which is not a host of this provider (expected a host ending in {string.Join(" or ", AllowedHostSuffixes)}). For a custom domain or proxy, set IronCageOptions.ProviderBaseAddresses.");
        }

        if (baseAddress is null)
        {
            if (uri.Scheme != Uri.UriSchemeHttps && !uri.IsLoopback)
            {
                throw new IronCageException($"The verify call would send the key over plain http to '{uri.Host}'. Use https (http is only allowed for loopback addresses and explicit base-address overrides).");
            }

            return uri;
        }

        if (!baseAddress.IsAbsoluteUri || (baseAddress.Scheme != Uri.UriSchemeHttps && baseAddress.Scheme != Uri.UriSchemeHttp))
        {
            throw new IronCageException($"The base address override '{baseAddress}' must be an absolute http(s) URI, for example http://127.0.0.1:5000/.");
        }

        var prefix = baseAddress.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return new Uri(prefix + uri.PathAndQuery, UriKind.Absolute);
    }

    private static bool IsSimpleName(string value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '-')
            {
                return false;
            }
        }

        return value.Length > 0;
    }

    private string CheckEndpoint(string name, string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
        {
            throw new IronCageException($"The value of '{name}' for the verify call '{Url}' must be an absolute https URL such as https://my-resource.openai.azure.com.");
        }

        if (!string.IsNullOrEmpty(endpoint.UserInfo) || !string.IsNullOrEmpty(endpoint.Query) || !string.IsNullOrEmpty(endpoint.Fragment))
        {
            throw new IronCageException($"The value of '{name}' for the verify call '{Url}' must not hold credentials, a query or a fragment: give only scheme, host and optional path, such as https://my-resource.openai.azure.com.");
        }

        return endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/');
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
