using System.Security.Cryptography;
using System.Text;
using IronCage.Internal;
using IronCage.Testing;

namespace IronCage.Core.Tests.Internal;

/// <summary>What the scrubber removes from provider text: known secrets in their obvious encodings, and key-shaped tokens it does not know.</summary>
public sealed class SecretScrubberTests
{
    [Theory]
    [InlineData("exact")]
    [InlineData("base64")]
    [InlineData("base64-unpadded")]
    [InlineData("base64url")]
    [InlineData("url")]
    public void ScrubSecrets_AKnownSecretInAnyObviousEncoding_IsRemoved(string shape)
    {
        // Shaped like an Amazon Bedrock API key: base64 with '+', '/' and '=' (which need URL escaping).
        var text = "ABSK" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(61)) + "+/==";
        using var secret = SecretValue.FromString(text);
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
        var echo = shape switch
        {
            "base64" => base64,
            "base64-unpadded" => base64.TrimEnd('='),
            "base64url" => base64.TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            "url" => Uri.EscapeDataString(text),
            _ => text,
        };

        var scrubbed = SecretScrubber.ScrubSecrets($"IAM said: credential {echo} is not allowed", [secret]);

        scrubbed.Should().Be("IAM said: credential [redacted] is not allowed");
    }

    [Fact]
    public void Scrub_ABase64ShapedKeyNobodyTold_IsRedacted()
    {
        var key = "ABSK" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(90));

        var scrubbed = SecretScrubber.Scrub($"AWS said: The security token {key} is invalid.");

        scrubbed.Should().NotContain(key[4..20]).And.Contain("[redacted]");
    }

    [Fact]
    public void Scrub_APartialHexEchoOfAKey_IsRedacted()
    {
        var key = FakeKeys.GenerateText(ProviderId.OpenRouter);
        var tail = key[^20..];

        var scrubbed = SecretScrubber.Scrub($"key ending in {tail} was disabled");

        scrubbed.Should().Be("key ending in [redacted] was disabled");
    }

    [Theory]
    [InlineData("POST /v1/organization/projects/proj_abc123/service_accounts failed")]
    [InlineData("regenerateKey of Key2 on account-1 ended Failed (Conflict).")]
    [InlineData("IAM user jane-at-123456789012 created 1712345678 at 2026-12-02T06:00:00Z")]
    public void Scrub_TextWithoutKeys_IsKept(string text)
        => SecretScrubber.Scrub(text).Should().Be(text);
}
