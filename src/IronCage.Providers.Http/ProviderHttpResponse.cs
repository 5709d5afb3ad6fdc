using IronCage.Verification;
using NodaTime;

namespace IronCage.Providers.Http;

/// <summary>A provider's answer with its body read into memory (at most <see cref="ProviderHttpConstants.MaxResponseBytes"/>). Disposing it zeroes the body (it may hold a key).</summary>
public sealed class ProviderHttpResponse : IDisposable
{
    /// <summary>Initializes an answer.</summary>
    /// <param name="message">The response.</param>
    /// <param name="body">Its body, read into memory.</param>
    public ProviderHttpResponse(HttpResponseMessage message, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(body);
        Message = message;
        Body = body;
    }

    /// <summary>Gets the response (status and headers; its content is <see cref="Body"/>).</summary>
    public HttpResponseMessage Message { get; }

    /// <summary>Gets the body.</summary>
    public byte[] Body { get; }

    /// <summary>Gets the HTTP status code.</summary>
    public int StatusCode => (int)Message.StatusCode;

    /// <summary>Gets a value indicating whether the status is 2xx.</summary>
    public bool IsSuccess => Message.IsSuccessStatusCode;

    /// <summary>Gets the kind the call's classifier gave the answer (<see langword="null"/> for a success); it decides retries and the circuit breaker.</summary>
    public ProviderErrorKind? Kind { get; private set; }

    /// <summary>Gets how long the provider asked to wait (<c>Retry-After</c>), if it said.</summary>
    public TimeSpan? RetryAfter { get; private set; }

    /// <summary>Classifies the answer.</summary>
    /// <param name="classify">The call's classifier; called for error answers only.</param>
    /// <param name="now">The current instant, to read an HTTP-date <c>Retry-After</c>.</param>
    public void Classify(Func<ProviderHttpResponse, ProviderErrorKind?> classify, Instant now)
    {
        ArgumentNullException.ThrowIfNull(classify);
        Kind = IsSuccess ? null : classify(this);
        RetryAfter = ProviderResponseClassifier.ReadRetryAfter(Message.Headers, now);
    }

    /// <summary>The first value of a response or content header.</summary>
    /// <param name="name">The header's name.</param>
    /// <returns>Its first value, or <see langword="null"/>.</returns>
    public string? Header(string name)
        => Message.Headers.TryGetValues(name, out var values) || Message.Content.Headers.TryGetValues(name, out values) ? values.FirstOrDefault() : null;

    /// <inheritdoc />
    public void Dispose()
    {
        Array.Clear(Body);
        Message.Dispose();
    }
}
