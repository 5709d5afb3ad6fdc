using System.Net;
using IronCage.AspNetCore.Authorization;
using IronCage.AspNetCore.Internal;
using Microsoft.Extensions.Options;

namespace IronCage.AspNetCore.Tests;

public sealed class AdminRateLimiterTests
{
    [Theory]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", true)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1", false)]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7", true)]
    [InlineData("192.0.2.7", "192.0.2.8", false)]
    public void PartitionOf_IPv6ByItsSlash64_IPv4ByAddress(string first, string second, bool same)
        => (AdminRateLimiter.PartitionOf(IPAddress.Parse(first)) == AdminRateLimiter.PartitionOf(IPAddress.Parse(second))).Should().Be(same);

    [Fact]
    public void TryAcquire_AnotherAddressInTheSameSlash64_SharesTheWindow()
    {
        // An attacker holding a /64 picks a fresh address for every request: it still counts against one window.
        using var limiter = new AdminRateLimiter(Options.Create(new AdminAccessOptions { RateLimitPermits = 2, RateLimitWindow = TimeSpan.FromMinutes(1) }));

        var results = Enumerable.Range(1, 3).Select(i => limiter.TryAcquire(IPAddress.Parse($"2001:db8:5:6::{i:x}"), out _)).ToList();

        results.Should().Equal(true, true, false);
        limiter.TryAcquire(IPAddress.Parse("2001:db8:5:7::1"), out _).Should().BeTrue("another /64 is another client");
    }
}
