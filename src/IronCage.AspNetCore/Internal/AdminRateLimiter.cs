using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using IronCage.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace IronCage.AspNetCore.Internal;

/// <summary>
/// A fixed-window limit per client address (System.Threading.RateLimiting, the limiter ASP.NET Core's middleware uses),
/// applied by the admin filter itself so it holds whether or not the host calls <c>UseRateLimiter()</c>, and so a
/// refused request is audited like any other refusal. An IPv6 client is limited by its /64 (one subscriber's network:
/// an attacker gets a /64 and picks any address in it), an IPv4 one by its address; idle partitions are dropped by the
/// limiter itself.
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

    /// <summary>The partition a client address counts against: the address itself for IPv4, its /64 for IPv6.</summary>
    public static string PartitionOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    /// <summary>Takes a permit for the client at <paramref name="address"/>; <see langword="false"/> when the window is used up.</summary>
    public bool TryAcquire(IPAddress? address, out TimeSpan? retryAfter) => TryAcquire(PartitionOf(address), out retryAfter);

    /// <summary>Takes a permit for the partition <paramref name="client"/>; <see langword="false"/> when the window is used up.</summary>
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
