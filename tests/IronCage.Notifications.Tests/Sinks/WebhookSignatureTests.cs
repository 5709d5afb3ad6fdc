using System.Security.Cryptography;
using System.Text;
using NodaTime;

namespace IronCage.Notifications.Tests;

public sealed class WebhookSignatureTests
{
    private const string Secret = "whsec_test_9f8e7d6c5b4a39281706";
    private const string Body = "{\"id\":\"1\",\"type\":\"rotation.completed\"}";
    private const long Timestamp = 1_793_523_600;
    private static readonly Instant Now = Instant.FromUnixTimeSeconds(Timestamp);
    private static readonly Duration Tolerance = Duration.FromMinutes(5);

    [Fact]
    public void Compute_IsLowercaseHexHmacSha256OfTimestampDotBody()
    {
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(Secret));
        var expected = Convert.ToHexStringLower(hmac.ComputeHash(Encoding.UTF8.GetBytes($"{Timestamp}.{Body}")));

        var signature = WebhookSignature.Compute(Secret, Timestamp, Body);

        signature.Should().Be("sha256=" + expected);
        WebhookSignature.Compute(Secret, Timestamp, Encoding.UTF8.GetBytes(Body)).Should().Be(signature);
    }

    [Fact]
    public void Verify_AuthenticFreshDelivery_IsTrue()
    {
        var signature = WebhookSignature.Compute(Secret, Timestamp, Body);

        WebhookSignature.Verify(Secret, Timestamp.ToString(), Body, signature, Now, Tolerance).Should().BeTrue();
        WebhookSignature.Verify(Secret, Timestamp.ToString(), Body, signature, Now + Duration.FromMinutes(5), Tolerance).Should().BeTrue("the tolerance is inclusive");
        WebhookSignature.Verify(Secret, Timestamp.ToString(), Body, signature.ToUpperInvariant().Replace("SHA256=", "sha256="), Now, Tolerance).Should().BeTrue("hex case does not matter");
    }

    [Fact]
    public void Verify_TamperedBody_IsFalse()
    {
        var signature = WebhookSignature.Compute(Secret, Timestamp, Body);

        WebhookSignature.Verify(Secret, Timestamp.ToString(), Body.Replace("completed", "started"), signature, Now, Tolerance).Should().BeFalse();
        WebhookSignature.Verify(Secret, Timestamp.ToString(), Body + " ", signature, Now, Tolerance).Should().BeFalse();
    }

    [Fact]
    public void Verify_WrongSecret_IsFalse()
    {
        var signature = WebhookSignature.Compute("another-secret-of-some-length", Timestamp, Body);

        WebhookSignature.Verify(Secret, Timestamp.ToString(), Body, signature, Now, Tolerance).Should().BeFalse();
    }

    [Fact]
    public void Verify_TimestampChangedAfterSigning_IsFalse()
    {
        var signature = WebhookSignature.Compute(Secret, Timestamp, Body);
        var replayedAt = Now + Duration.FromHours(1);

        WebhookSignature.Verify(Secret, replayedAt.ToUnixTimeSeconds().ToString(), Body, signature, replayedAt, Tolerance).Should().BeFalse("a captured delivery cannot be replayed with a fresh timestamp");
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    [InlineData(86_400)]
    public void Verify_StaleOrFutureTimestamp_IsFalse(int receiverClockOffsetSeconds)
    {
        var signature = WebhookSignature.Compute(Secret, Timestamp, Body);

        WebhookSignature.Verify(Secret, Timestamp.ToString(), Body, signature, Now + Duration.FromSeconds(receiverClockOffsetSeconds), Tolerance).Should().BeFalse();
    }

    [Theory]
    [InlineData(null, "sha256=00")]
    [InlineData("", "sha256=00")]
    [InlineData("-1793523600", null)]
    [InlineData(" 1793523600", null)]
    [InlineData("99999999999999999999", null)]
    [InlineData("1793523600", "")]
    [InlineData("1793523600", "sha1=0123")]
    [InlineData("1793523600", "sha256=zz")]
    [InlineData("1793523600", "sha256=")]
    public void Verify_MissingOrMalformedHeaders_IsFalse(string? timestamp, string? signature)
    {
        signature ??= WebhookSignature.Compute(Secret, Timestamp, Body);

        WebhookSignature.Verify(Secret, timestamp, Body, signature, Now, Tolerance).Should().BeFalse();
    }

    [Fact]
    public void Verify_SignatureForAnotherLength_IsFalse()
    {
        var signature = WebhookSignature.Compute(Secret, Timestamp, Body);

        WebhookSignature.Verify(Secret, Timestamp.ToString(), Body, signature[..^2], Now, Tolerance).Should().BeFalse();
        WebhookSignature.Verify(Secret, Timestamp.ToString(), Body, signature + "00", Now, Tolerance).Should().BeFalse();
    }

    [Fact]
    public void Verify_NegativeToleranceOrNoSecret_Throws()
    {
        var signature = WebhookSignature.Compute(Secret, Timestamp, Body);

        ((Action)(() => WebhookSignature.Verify(Secret, Timestamp.ToString(), Body, signature, Now, Duration.FromSeconds(-1)))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => WebhookSignature.Verify(string.Empty, Timestamp.ToString(), Body, signature, Now, Tolerance))).Should().Throw<ArgumentException>();
        ((Action)(() => WebhookSignature.Compute(string.Empty, Timestamp, Body))).Should().Throw<ArgumentException>();
    }
}
