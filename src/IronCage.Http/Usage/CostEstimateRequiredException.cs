namespace IronCage.Http;

/// <summary>
/// A request through a key with a cost limit has a body whose length cannot be known before it is sent (a stream
/// without <c>Content-Length</c>), or a body that refers to input it does not carry (an image, audio or file by URL or
/// file id), so its worst-case cost cannot be reserved. Nothing was sent and nothing was reserved.
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

    internal CostEstimateRequiredException(KeyReference key, bool pointsOutside)
        : base(pointsOutside
            ? $"The request through {key} refers to input its body does not carry (an image, audio or file by URL or file id), whose cost the body's size does not bound, so the worst case of its cost budget cannot be reserved and it was not sent. Set request.Options.Set(IronCageRequestOptions.CostEstimate, new CostEstimate(model, inputTokens, maxOutputTokens)) with the input tokens that input can cost, or send it inline (a data: URL)."
            : $"The request through {key} has a body of unknown length, so the worst case of its cost budget cannot be reserved and it was not sent. Set request.Options.Set(IronCageRequestOptions.CostEstimate, new CostEstimate(model, inputTokens, maxOutputTokens)), or send a body with a known length (ByteArrayContent, StringContent, JsonContent, or a Content-Length header).")
    {
        Key = key;
    }

    /// <summary>Gets the budgeted managed key the request was for.</summary>
    public KeyReference Key { get; }
}
