using System.Net;
using System.Text;
using IronCage.Providers;
using IronCage.Verification;
using NodaTime;

namespace IronCage.Core.Tests.Verification;

/// <summary>The limits a provider's answer reports in its rate-limit headers, as the classifier reads them.</summary>
public sealed class ProviderRateLimitsTests
{
    [Fact]
    public void Classify_OpenAIHeaders_ReportsRequestAndTokenLimits()
    {
        var classification = Classify(ProviderId.OpenAI, ("x-ratelimit-limit-requests", "10000"), ("x-ratelimit-remaining-requests", "9999"), ("x-ratelimit-limit-tokens", "30000000"), ("x-ratelimit-remaining-tokens", "29999980"), ("x-ratelimit-reset-requests", "6ms"));

        classification.RateLimits.Should().Be(new ProviderRateLimits { RequestLimit = 10_000, RequestsRemaining = 9_999, TokenLimit = 30_000_000, TokensRemaining = 29_999_980 });
        KeyVerificationResult.FromClassification(classification).RateLimits.Should().Be(classification.RateLimits, "a verification carries what the answer said");
    }

    [Fact]
    public void Classify_AnthropicHeaders_ReportsThem()
    {
        var classification = Classify(ProviderId.Anthropic, ("anthropic-ratelimit-requests-limit", "50"), ("anthropic-ratelimit-requests-remaining", "49"), ("anthropic-ratelimit-tokens-limit", "40000"), ("anthropic-ratelimit-tokens-reset", "2026-12-03T12:00:00Z"));

        classification.RateLimits.Should().Be(new ProviderRateLimits { RequestLimit = 50, RequestsRemaining = 49, TokenLimit = 40_000 });
    }

    [Fact]
    public void Classify_MistralPerMinuteHeaders_ReportsThem()
    {
        var classification = Classify(ProviderId.Mistral, ("x-ratelimit-limit-req-minute", "60"), ("x-ratelimit-remaining-req-minute", "59"), ("x-ratelimit-limit-tokens-minute", "500000"), ("x-ratelimit-remaining-tokens-minute", "499000"));

        classification.RateLimits.Should().Be(new ProviderRateLimits { RequestLimit = 60, RequestsRemaining = 59, TokenLimit = 500_000, TokensRemaining = 499_000 });
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("lots")]
    [InlineData("1e6")]
    [InlineData("")]
    public void Classify_ValuesThatAreNotWholeNumbers_AreNoInformation(string value)
    {
        var classification = Classify(ProviderId.AzureOpenAI, ("x-ratelimit-remaining-requests", value), ("x-ratelimit-remaining-tokens", value));

        classification.RateLimits.Should().BeNull("Azure answers -1 on some APIs, which is not a limit");
    }

    [Fact]
    public void Classify_NoRateLimitHeaders_ReportsNone()
        => Classify(ProviderId.Groq).RateLimits.Should().BeNull();

    [Theory]
    [InlineData("org-AbC123xyz", "org-AbC123xyz")]
    [InlineData("user-abc_123", "user-abc_123")]
    [InlineData("<script>alert(1)</script>", null)]
    [InlineData("org abc", null)]
    [InlineData("", null)]
    public void Classify_OpenAIOrganizationHeader_IsTheAnswersOrganization_WhenItIsAnId(string value, string? expected)
        => Classify(ProviderId.OpenAI, ("openai-organization", value)).Organization.Should().Be(expected);

    [Fact]
    public void Classify_OrganizationHeaderCarryingTheKey_IsScrubbed()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("openai-organization", "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789");
        using var secret = IronCage.SecretValue.FromString("sk-proj-abcdefghijklmnopqrstuvwxyz0123456789");

        var classification = ProviderResponseClassifier.Classify(ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.OpenAI), response, "{}"u8.ToArray(), Instant.FromUtc(2026, 12, 3, 11, 0), secret: secret);

        (classification.Organization ?? string.Empty).Should().NotContain("abcdefghijklmnopqrstuvwxyz0123456789");
    }

    private static ProviderResponseClassification Classify(ProviderId provider, params (string Name, string Value)[] headers)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        var body = Encoding.UTF8.GetBytes("""{"object":"list","data":[]}""");
        return ProviderResponseClassifier.Classify(ProviderCatalog.BuiltIn.GetDescriptor(provider), response, body, Instant.FromUtc(2026, 12, 3, 11, 0));
    }
}
