using System.Diagnostics.CodeAnalysis;

namespace IronCage.Http;

/// <summary>
/// Client-side rate limits: whether this process may send one more request (and so many tokens) with a key now. The key
/// handler asks before each attempt; a refused key is skipped (a pool moves on). The default enforces the
/// <see cref="ClientRateLimit"/>s of <see cref="KeyResolverOptions.RateLimits"/> in this process; it is registered with
/// <c>TryAdd</c>, so a host can register its own (a limit shared across instances) before <c>AddKeyResolver</c>.
/// </summary>
public interface IClientRateLimiter
{
    /// <summary>Tells whether requests through a key count tokens, so the handler must estimate a request's tokens (which reads its body) before <see cref="TryAcquire"/>.</summary>
    /// <param name="key">The managed key.</param>
    /// <returns><see langword="true"/> when the key has a token limit.</returns>
    bool CountsTokens(KeyReference key);

    /// <summary>Takes a permit for one request through a key.</summary>
    /// <param name="key">The managed key.</param>
    /// <param name="tokens">The request's token estimate (0 when <see cref="CountsTokens"/> is <see langword="false"/>).</param>
    /// <param name="skip">Why the request may not be sent now, when it may not.</param>
    /// <returns><see langword="true"/> when the request may be sent.</returns>
    bool TryAcquire(KeyReference key, int tokens, [NotNullWhen(false)] out KeySkip? skip);
}
