namespace IronCage.Testing.Emulator;

/// <summary>A failure the emulator answers with instead of (or after) handling a request; see <see cref="EmulatedProvider.InjectFault"/>.</summary>
public sealed record EmulatedFault
{
    /// <summary>Gets the HTTP status to answer with, with the provider's error body; <see langword="null"/> with <see cref="Hang"/>.</summary>
    public int? StatusCode { get; init; }

    /// <summary>Gets the provider error code (OpenAI <c>error.code</c>, Anthropic <c>error.type</c>) to put in the body instead of the status's usual one, such as <c>insufficient_quota</c>.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>Gets the <c>retry-after</c> header to send, if any.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Gets a value indicating whether the emulator never answers (until the client gives up), to test timeouts.</summary>
    public bool Hang { get; init; }

    /// <summary>
    /// Gets a value indicating whether the request is handled first (a key really created) and only the answer fails:
    /// the ambiguous outcome a client must not repeat blindly.
    /// </summary>
    public bool AfterHandling { get; init; }

    /// <summary>Gets how many matching requests fail.</summary>
    /// <value>The default value is 1.</value>
    public int Times { get; init; } = 1;

    /// <summary>Gets the HTTP method a request must have to fail, or <see langword="null"/> for any.</summary>
    public string? Method { get; init; }

    /// <summary>Gets a text the request path must contain to fail (such as <c>/models</c>), or <see langword="null"/> for any path.</summary>
    public string? PathContains { get; init; }
}
