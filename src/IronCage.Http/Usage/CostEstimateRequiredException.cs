namespace IronCage.Http;

/// <summary>
/// A request through a key with a cost limit has a body whose length cannot be known before it is sent (a stream
/// without <c>Content-Length</c>), so its worst-case cost cannot be reserved. Nothing was sent and nothing was reserved.
/// </summary>
public sealed class CostEstimateRequiredException : IronCageException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="key">The budgeted managed key the request was for.</param>
    public CostEstimateRequiredException(KeyReference key)
        : base($"The request through {key} has a body of unknown length, so the worst case of its cost budget cannot be reserved and it was not sent. Set request.Options.Set(IronCageRequestOptions.CostEstimate, new CostEstimate(model, inputTokens, maxOutputTokens)), or send a body with a known length (ByteArrayContent, StringContent, JsonContent, or a Content-Length header).")
    {
        Key = key;
    }

    /// <summary>Gets the budgeted managed key the request was for.</summary>
    public KeyReference Key { get; }
}
