using System.Text.Json.Nodes;

namespace IronCage.Providers.Http;

/// <summary>One call to a provider's JSON management API, sent by <see cref="ProviderHttp"/>.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Uri">The absolute address.</param>
/// <param name="Operation">What the call does, for messages (<c>create admin key</c>).</param>
public sealed record ProviderCall(HttpMethod Method, Uri Uri, string Operation)
{
    /// <summary>Gets the JSON body, if any; sent as <c>application/json</c>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public JsonNode? Body { get; init; }

    /// <summary>
    /// Gets a value indicating whether repeating the call after an unclear failure is harmless; only such calls are
    /// retried. Set it to <see langword="false"/> for a call that creates something.
    /// </summary>
    /// <value>The default value is <see langword="true"/> for GET, HEAD, OPTIONS, PUT and DELETE, and <see langword="false"/> for POST and PATCH.</value>
    public bool Idempotent { get; init; } = Internal.ProviderRequestOptions.IsIdempotentMethod(Method);

    /// <summary>Gets a value indicating whether a 404 answer means "no such resource" (returned as a null body) rather than an error.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool NotFoundIsNull { get; init; }

    /// <summary>Gets rules specific to this call, checked before the provider's (a verify call's rules).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IReadOnlyList<ResponseRule>? Rules { get; init; }
}
