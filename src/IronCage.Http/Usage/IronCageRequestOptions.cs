using IronCage.Usage;

namespace IronCage.Http;

/// <summary>
/// Per-request settings the IronCage handlers read from <see cref="HttpRequestMessage.Options"/>.
/// </summary>
/// <example>
/// <code>
/// request.Options.Set(IronCageRequestOptions.CostEstimate, new CostEstimate("gpt-4o-mini", InputTokens: 20_000, MaxOutputTokens: 1_000));
/// </code>
/// </example>
public static class IronCageRequestOptions
{
    /// <summary>
    /// Gets the key of the worst case a budgeted call reserves instead of the one read from its body. A request whose
    /// body length cannot be known before it is sent (a stream without <c>Content-Length</c>) through a key with a cost
    /// limit needs it, or it is refused with <see cref="CostEstimateRequiredException"/>; a request whose provider
    /// counts input its body only points at (image URLs, file ids, server-side tools) should set it, since the
    /// estimate read from the body holds one token per body byte and nothing more.
    /// </summary>
    /// <remarks>The <see cref="CostEstimate.Model"/> prices the reservation; when it is <see langword="null"/>, the model the request's path names (Gemini) is used.</remarks>
    public static HttpRequestOptionsKey<CostEstimate> CostEstimate { get; } = new("IronCage.CostEstimate");
}
