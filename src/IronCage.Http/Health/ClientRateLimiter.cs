using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Threading.RateLimiting;
using IronCage.Http;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Http;

/// <summary>
/// The default <see cref="IClientRateLimiter"/>: per key with a <see cref="ClientRateLimit"/>, a sliding window of
/// requests and a token bucket of tokens (System.Threading.RateLimiting), made on first use. A key without a limit
/// costs one dictionary read.
/// </summary>
internal sealed class ClientRateLimiter : IClientRateLimiter, IDisposable
{
    private readonly ConcurrentDictionary<KeyReference, Limiters> _limiters = new();
    private readonly IDictionary<KeyReference, ClientRateLimit> _limits;
    private readonly IClock _clock;

    public ClientRateLimiter(IOptions<KeyResolverOptions> options, IClock clock)
    {
        _limits = options.Value.RateLimits;
        _clock = clock;
    }

    public bool CountsTokens(KeyReference key) => _limits.Count != 0 && _limits.TryGetValue(key, out var limit) && limit.Tokens is not null;

    public bool TryAcquire(KeyReference key, int tokens, [NotNullWhen(false)] out KeySkip? skip)
    {
        skip = null;
        if (_limits.Count == 0 || !_limits.TryGetValue(key, out var limit))
        {
            return true;
        }

        var limiters = _limiters.GetOrAdd(key, static (_, limit) => Limiters.For(limit), limit);
        if (limiters.Requests is { } requests)
        {
            using var lease = requests.AttemptAcquire(1);
            if (!lease.IsAcquired)
            {
                skip = Skip(key, limit, limit.Requests, "requests", lease);
                return false;
            }
        }

        if (limiters.Tokens is { } bucket && tokens > 0)
        {
            using var lease = bucket.AttemptAcquire(Math.Min(tokens, limit.Tokens!.Value));
            if (!lease.IsAcquired)
            {
                skip = Skip(key, limit, limit.Tokens, "tokens", lease);
                return false;
            }
        }

        return true;
    }

    public void Dispose()
    {
        foreach (var limiters in _limiters.Values)
        {
            limiters.Requests?.Dispose();
            limiters.Tokens?.Dispose();
        }
    }

    private KeySkip Skip(KeyReference key, ClientRateLimit limit, int? amount, string what, RateLimitLease lease)
    {
        Instant? until = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? _clock.GetCurrentInstant() + Duration.FromTimeSpan(retryAfter) : null;
        return new KeySkip(key, KeySkipReason.RateLimited, $"the client-side limit of {amount} {what} per {limit.Window} is reached; wait, add keys to a pool, or raise ClientRateLimit", until);
    }

    private sealed record Limiters(RateLimiter? Requests, RateLimiter? Tokens)
    {
        public static Limiters For(ClientRateLimit limit)
        {
            RateLimiter? requests = limit.Requests is { } permits
                ? new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
                {
                    PermitLimit = permits,
                    Window = limit.Window,
                    SegmentsPerWindow = 6,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                })
                : null;
            RateLimiter? tokens = null;
            if (limit.Tokens is { } count)
            {
                var periods = Math.Max(1, (int)Math.Round(limit.Window.TotalSeconds));
                tokens = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
                {
                    TokenLimit = count,
                    TokensPerPeriod = Math.Max(1, count / periods),
                    ReplenishmentPeriod = TimeSpan.FromTicks(limit.Window.Ticks / periods),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            }

            return new Limiters(requests, tokens);
        }
    }
}
