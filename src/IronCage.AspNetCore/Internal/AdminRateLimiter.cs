using System.Threading.RateLimiting;
using IronCage.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace IronCage.AspNetCore.Internal;

/// <summary>
/// A fixed-window limit per client address (System.Threading.RateLimiting, the limiter ASP.NET Core's middleware uses),
/// applied by the admin filter itself so it holds whether or not the host calls <c>UseRateLimiter()</c>, and so a
/// refused request is audited like any other refusal.
/// </summary>
internal sealed class AdminRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _limiter;

    public AdminRateLimiter(IOptions<AdminAccessOptions> options)
    {
        var access = options.Value;
        if (access.RateLimitPermits > 0)
        {
            _limiter = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = access.RateLimitPermits,
                Window = access.RateLimitWindow,
                QueueLimit = 0,
            }));
        }
    }

    /// <summary>Takes a permit for <paramref name="client"/>; <see langword="false"/> when the window is used up.</summary>
    public bool TryAcquire(string client, out TimeSpan? retryAfter)
    {
        retryAfter = null;
        if (_limiter is null)
        {
            return true;
        }

        using var lease = _limiter.AttemptAcquire(client);
        if (lease.IsAcquired)
        {
            return true;
        }

        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : null;
        return false;
    }

    public void Dispose() => _limiter?.Dispose();
}
