namespace IronCage.Http;

/// <summary>
/// A client-side rate limit for one managed key, enforced by the HTTP handler before a request leaves the process
/// (System.Threading.RateLimiting): at most <see cref="Requests"/> requests and <see cref="Tokens"/> tokens per
/// <see cref="Window"/>. A request over the limit is not sent: a pool moves on to its next key, a single key fails with
/// <see cref="NoUsableKeyException"/> (<see cref="KeySkipReason.RateLimited"/>).
/// </summary>
public sealed record ClientRateLimit
{
    /// <summary>Gets the requests allowed per window, or <see langword="null"/> for no request limit.</summary>
    public int? Requests { get; init; }

    /// <summary>Gets the tokens allowed per window (counted as the request's prompt estimate plus its output cap, as providers count them), or <see langword="null"/> for no token limit.</summary>
    public int? Tokens { get; init; }

    /// <summary>Gets the window.</summary>
    /// <value>The default value is one minute.</value>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);
}
