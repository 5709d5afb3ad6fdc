using System.Net;
using System.Net.Http.Headers;
using IronCage.Providers;
using IronCage.Verification;
using NodaTime;

namespace IronCage.Core.Tests.Verification;

public sealed class ProviderResponseClassifierTests
{
    private static readonly Instant Now = Instant.FromUtc(2026, 8, 22, 10, 0, 0);

    [Theory]
    [InlineData("12ms", 12)]
    [InlineData("1s", 1_000)]
    [InlineData("6m0s", 360_000)]
    [InlineData("1h2m3.5s", 3_723_500)]
    [InlineData("0s", 0)]
    [InlineData("1.5m", 90_000)]
    [InlineData("2m30s", 150_000)]
    [InlineData(" 20s ", 20_000)]
    public void TryParseGoDuration_ValidDuration_ReturnsIt(string text, double expectedMilliseconds)
    {
        ProviderResponseClassifier.TryParseGoDuration(text, out var duration).Should().BeTrue();

        duration.Should().Be(TimeSpan.FromMilliseconds(expectedMilliseconds));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("abc")]
    [InlineData("5")]
    [InlineData("5x")]
    [InlineData("s")]
    [InlineData("-1s")]
    [InlineData("1.2.3s")]
    [InlineData("1m-2s")]
    [InlineData("1s junk")]
    public void TryParseGoDuration_BadInput_ReturnsFalseAndZero(string? text)
    {
        ProviderResponseClassifier.TryParseGoDuration(text, out var duration).Should().BeFalse();

        duration.Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void ReadRetryAfter_HttpDateInTheFuture_ReturnsTimeUntilThen()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("Retry-After", "Sat, 22 Aug 2026 10:00:45 GMT").Should().BeTrue();

        ProviderResponseClassifier.ReadRetryAfter(response.Headers, Now).Should().Be(TimeSpan.FromSeconds(45));
    }

    [Fact]
    public void ReadRetryAfter_HttpDateInThePast_ReturnsZero()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(Now.Minus(Duration.FromMinutes(1)).ToDateTimeOffset());

        ProviderResponseClassifier.ReadRetryAfter(response.Headers, Now).Should().Be(TimeSpan.Zero);
    }

    [Fact]
    public void ReadRetryAfter_DeltaSeconds_ReturnsThem()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("retry-after", "20").Should().BeTrue();

        ProviderResponseClassifier.ReadRetryAfter(response.Headers, Now).Should().Be(TimeSpan.FromSeconds(20));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-5")]
    public void ReadRetryAfter_UnusableRetryAfterMs_FallsBackToRetryAfter(string milliseconds)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("retry-after-ms", milliseconds).Should().BeTrue();
        response.Headers.TryAddWithoutValidation("retry-after", "3").Should().BeTrue();

        ProviderResponseClassifier.ReadRetryAfter(response.Headers, Now).Should().Be(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void ReadRetryAfter_BothLimitsExhausted_ReturnsTheLongerReset()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("x-ratelimit-remaining-requests", "0").Should().BeTrue();
        response.Headers.TryAddWithoutValidation("x-ratelimit-reset-requests", "12ms").Should().BeTrue();
        response.Headers.TryAddWithoutValidation("x-ratelimit-remaining-tokens", "0").Should().BeTrue();
        response.Headers.TryAddWithoutValidation("x-ratelimit-reset-tokens", "1m30s").Should().BeTrue();

        ProviderResponseClassifier.ReadRetryAfter(response.Headers, Now).Should().Be(TimeSpan.FromSeconds(90));
    }

    [Fact]
    public void ReadRetryAfter_ExhaustedLimitWithUnparsableReset_ReturnsNull()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("x-ratelimit-remaining-requests", "0").Should().BeTrue();
        response.Headers.TryAddWithoutValidation("x-ratelimit-reset-requests", "soon").Should().BeTrue();

        ProviderResponseClassifier.ReadRetryAfter(response.Headers, Now).Should().BeNull();
    }

    [Fact]
    public void ReadRetryAfter_NoHeaders_ReturnsNull()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);

        ProviderResponseClassifier.ReadRetryAfter(response.Headers, Now).Should().BeNull();
    }

    [Theory]
    [InlineData(200, null)]
    [InlineData(201, null)]
    [InlineData(204, null)]
    [InlineData(299, null)]
    [InlineData(400, "BadRequest")]
    [InlineData(401, "InvalidKey")]
    [InlineData(402, "QuotaExhausted")]
    [InlineData(403, "Forbidden")]
    [InlineData(404, "NotFound")]
    [InlineData(408, "Transient")]
    [InlineData(409, "Conflict")]
    [InlineData(425, "Transient")]
    [InlineData(429, "RateLimited")]
    [InlineData(500, "Transient")]
    [InlineData(502, "Transient")]
    [InlineData(503, "Transient")]
    [InlineData(504, "Transient")]
    [InlineData(529, "Transient")]
    [InlineData(302, "Unknown")]
    [InlineData(418, "Unknown")]
    [InlineData(498, "Unknown")]
    public void DefaultKind_StatusCode_MapsToKind(int statusCode, string? expected)
    {
        var kind = ProviderResponseClassifier.DefaultKind(statusCode);

        if (expected is null)
        {
            kind.Should().BeNull();
        }
        else
        {
            kind.Should().Be(new ProviderErrorKind(expected));
        }
    }

    [Fact]
    public void Classify_CallRuleAndProviderRuleBothMatch_CallRuleWins()
    {
        var descriptor = new ProviderDescriptor(new ProviderId("acme"), "Acme")
        {
            ConsoleUrl = new Uri("https://console.acme.example/keys"),
            ErrorRules = [new ResponseRule(ProviderErrorKind.Forbidden, "provider-wide") { StatusCode = 401 }],
        };
        ResponseRule[] callRules = [new ResponseRule(ProviderErrorKind.QuotaExhausted, "call-specific") { StatusCode = 401 }];
        using var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);

        var classification = ProviderResponseClassifier.Classify(descriptor, response, "{}"u8.ToArray(), Now, callRules);

        classification.Kind.Should().Be(ProviderErrorKind.QuotaExhausted);
        classification.Explanation.Should().Be("call-specific");
    }

    [Fact]
    public void Classify_RuleWithErrorCodeOnSuccess_DoesNotMatch()
    {
        var descriptor = new ProviderDescriptor(new ProviderId("acme"), "Acme")
        {
            ConsoleUrl = new Uri("https://console.acme.example/keys"),
            ErrorRules = [new ResponseRule(ProviderErrorKind.InvalidKey, "error details only apply to errors") { ErrorCode = "invalid_api_key" }],
        };
        using var response = new HttpResponseMessage(HttpStatusCode.OK);

        var classification = ProviderResponseClassifier.Classify(descriptor, response, """{"error":{"code":"invalid_api_key"}}"""u8.ToArray(), Now);

        classification.IsSuccess.Should().BeTrue();
        classification.ProviderErrorCode.Should().BeNull();
    }

    [Fact]
    public void Classify_NonJsonErrorBody_FallsBackToStatus()
    {
        var descriptor = ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.OpenAI);
        using var response = new HttpResponseMessage(HttpStatusCode.BadGateway);

        var classification = ProviderResponseClassifier.Classify(descriptor, response, "<html><body>502 Bad Gateway</body></html>"u8.ToArray(), Now);

        classification.Kind.Should().Be(ProviderErrorKind.Transient);
        classification.ProviderErrorCode.Should().BeNull();
        classification.Message.Should().BeNull();
    }

    [Fact]
    public void Classify_GeminiRuleMatchedByReason_ReportsTheReasonAsCode()
    {
        var descriptor = ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.GoogleGemini);
        using var response = new HttpResponseMessage(HttpStatusCode.BadRequest);

        var classification = ProviderResponseClassifier.Classify(descriptor, response, System.Text.Encoding.UTF8.GetBytes(TestData.Read("gemini-400-api-key-invalid.json")), Now);

        classification.Kind.Should().Be(ProviderErrorKind.InvalidKey);
        classification.ProviderErrorCode.Should().Be("API_KEY_INVALID");
        classification.Explanation.Should().Contain("API_KEY_INVALID");
        classification.Describe("verify key").Should().Contain("failed with 400 (InvalidKey, API_KEY_INVALID)");
    }
}
