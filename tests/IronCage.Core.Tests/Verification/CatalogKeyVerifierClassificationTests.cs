using System.Net;
using IronCage.Testing;
using IronCage.Verification;

namespace IronCage.Core.Tests.Verification;

/// <summary>
/// How each provider's error answers (and its 200s that mean "not usable") are classified, with bodies and
/// headers shaped as PROVIDERS.md documents them.
/// </summary>
public sealed class CatalogKeyVerifierClassificationTests
{
    private const string OpenAIRequestId = "req_4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a99";
    private const string AzureRequestId = "7d2a4c1e-9b3f-4e2a-8c5d-6f1e0a9b8c7d";
    private const string AwsRequestId = "b7c4a9f2-3d1e-4c8b-9a6f-2e5d8c1b4a7f";

    // ---- OpenAI ----

    [Fact]
    public async Task VerifyAsync_OpenAI401InvalidApiKey_ReturnsInvalidKeyWithCodeAndRequestId()
    {
        var result = await VerifyAsync(ProviderId.OpenAI, 401, "openai-401-invalid-api-key.json", headers: ("x-request-id", OpenAIRequestId));

        result.IsValid.Should().BeFalse();
        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        result.StatusCode.Should().Be(401);
        result.ProviderErrorCode.Should().Be("invalid_api_key");
        result.RequestId.Should().Be(OpenAIRequestId, "support needs the request id verbatim");
        result.RetryAfter.Should().BeNull();
        result.IsAmbiguous.Should().BeFalse();
        result.AlternativeKind.Should().BeNull();
        result.Message.Should().Contain("Incorrect API key provided").And.Contain(OpenAIRequestId);

        var thrown = result.Invoking(r => r.EnsureValid()).Should().Throw<ProviderRequestException>().Which;
        thrown.Provider.Should().Be(ProviderId.OpenAI);
        thrown.Kind.Should().Be(ProviderErrorKind.InvalidKey);
        thrown.StatusCode.Should().Be(401);
        thrown.ProviderErrorCode.Should().Be("invalid_api_key");
        thrown.RequestId.Should().Be(OpenAIRequestId);
        thrown.Message.Should().Be(result.Message);
    }

    [Fact]
    public async Task VerifyAsync_OpenAI429WithRetryAfterSeconds_ReturnsRateLimitedWithDelay()
    {
        var result = await VerifyAsync(ProviderId.OpenAI, 429, "openai-429-rate-limit.json", headers: ("retry-after", "20"));

        result.ErrorKind.Should().Be(ProviderErrorKind.RateLimited);
        result.ProviderErrorCode.Should().Be("rate_limit_exceeded");
        result.RetryAfter.Should().Be(TimeSpan.FromSeconds(20));
        result.Message.Should().Contain("Retry after 20 s");
        result.Invoking(r => r.EnsureValid()).Should().Throw<ProviderRequestException>().Which.RetryAfter.Should().Be(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task VerifyAsync_OpenAI429WithRetryAfterMs_ReturnsRateLimitedWithMillisecondDelay()
    {
        var result = await VerifyAsync(ProviderId.OpenAI, 429, "openai-429-rate-limit.json", headers: ("retry-after-ms", "1500"));

        result.ErrorKind.Should().Be(ProviderErrorKind.RateLimited);
        result.RetryAfter.Should().Be(TimeSpan.FromMilliseconds(1500));
    }

    [Fact]
    public async Task VerifyAsync_OpenAI429WithBothRetryAfterHeaders_PrefersTheMillisecondOne()
    {
        var result = await VerifyAsync(ProviderId.OpenAI, 429, "openai-429-rate-limit.json", headers: [("retry-after", "2"), ("retry-after-ms", "1500")]);

        result.RetryAfter.Should().Be(TimeSpan.FromMilliseconds(1500));
    }

    [Fact]
    public async Task VerifyAsync_OpenAI429WithOnlyRateLimitHeaders_UsesResetOfTheExhaustedLimit()
    {
        var result = await VerifyAsync(
            ProviderId.OpenAI,
            429,
            "openai-429-rate-limit.json",
            headers:
            [
                ("x-ratelimit-limit-requests", "500"),
                ("x-ratelimit-limit-tokens", "150000"),
                ("x-ratelimit-remaining-requests", "0"),
                ("x-ratelimit-remaining-tokens", "149984"),
                ("x-ratelimit-reset-requests", "6m0s"),
                ("x-ratelimit-reset-tokens", "6ms"),
            ]);

        result.ErrorKind.Should().Be(ProviderErrorKind.RateLimited);
        result.RetryAfter.Should().Be(TimeSpan.FromMinutes(6), "only the requests limit is exhausted; the tokens reset does not apply");
    }

    [Fact]
    public async Task VerifyAsync_OpenAI429WithoutAnyDelayHeader_HasNoRetryAfter()
    {
        var result = await VerifyAsync(ProviderId.OpenAI, 429, "openai-429-rate-limit.json", headers: [("x-ratelimit-remaining-requests", "12"), ("x-ratelimit-reset-requests", "6m0s")]);

        result.ErrorKind.Should().Be(ProviderErrorKind.RateLimited);
        result.RetryAfter.Should().BeNull("no limit is at 0, so no reset header says when to retry");
    }

    [Fact]
    public async Task VerifyAsync_OpenAI429InsufficientQuota_ReturnsQuotaExhausted()
    {
        var result = await VerifyAsync(ProviderId.OpenAI, 429, "openai-429-insufficient-quota.json");

        result.ErrorKind.Should().Be(ProviderErrorKind.QuotaExhausted);
        result.StatusCode.Should().Be(429);
        result.ProviderErrorCode.Should().Be("insufficient_quota");
        result.Message.Should().Contain("You exceeded your current quota");
    }

    [Theory]
    [InlineData(500, "openai-500-server-error.json")]
    [InlineData(503, "openai-503-overloaded.json")]
    public async Task VerifyAsync_OpenAIServerError_ReturnsTransient(int status, string bodyFile)
    {
        var result = await VerifyAsync(ProviderId.OpenAI, status, bodyFile);

        result.ErrorKind.Should().Be(ProviderErrorKind.Transient);
        result.StatusCode.Should().Be(status);
        result.ProviderErrorCode.Should().Be("server_error");
        result.ErrorKind!.Value.IsRetryable.Should().BeTrue();
    }

    [Fact]
    public async Task VerifyAsync_OpenAI503WithRetryAfter_ReturnsTransientWithDelay()
    {
        var result = await VerifyAsync(ProviderId.OpenAI, 503, "openai-503-overloaded.json", headers: ("retry-after", "7"));

        result.ErrorKind.Should().Be(ProviderErrorKind.Transient);
        result.RetryAfter.Should().Be(TimeSpan.FromSeconds(7));
    }

    // ---- Anthropic ----

    [Fact]
    public async Task VerifyAsync_Anthropic401AuthenticationError_ReturnsInvalidKeyWithHeaderRequestId()
    {
        var result = await VerifyAsync(ProviderId.Anthropic, 401, "anthropic-401-authentication-error.json", headers: ("request-id", "req_011CSHoEeqs5C35K2UUqR7Fy"));

        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        result.ProviderErrorCode.Should().Be("authentication_error");
        result.RequestId.Should().Be("req_011CSHoEeqs5C35K2UUqR7Fy");
        result.Message.Should().Contain("invalid x-api-key");
    }

    [Fact]
    public async Task VerifyAsync_Anthropic401WithoutRequestIdHeader_TakesRequestIdFromBody()
    {
        var result = await VerifyAsync(ProviderId.Anthropic, 401, "anthropic-401-authentication-error.json");

        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        result.RequestId.Should().Be("req_011CSHoEeqs5C35K2UUqR7Fy");
    }

    [Fact]
    public async Task VerifyAsync_Anthropic403PermissionError_ReturnsForbidden()
    {
        var result = await VerifyAsync(ProviderId.Anthropic, 403, "anthropic-403-permission-error.json", headers: ("request-id", "req_011CSHqWd1nP8sPq3rYtK2aB"));

        result.ErrorKind.Should().Be(ProviderErrorKind.Forbidden);
        result.ProviderErrorCode.Should().Be("permission_error");
        result.RequestId.Should().Be("req_011CSHqWd1nP8sPq3rYtK2aB");
    }

    [Fact]
    public async Task VerifyAsync_Anthropic429RateLimitError_ReturnsRateLimitedWithRetryAfter()
    {
        var result = await VerifyAsync(
            ProviderId.Anthropic,
            429,
            "anthropic-429-rate-limit-error.json",
            headers:
            [
                ("retry-after", "30"),
                ("request-id", "req_011CSHrTk9vW2mZx4aLpQ7cD"),
                ("anthropic-ratelimit-requests-limit", "50"),
                ("anthropic-ratelimit-requests-remaining", "0"),
                ("anthropic-ratelimit-requests-reset", "2025-08-22T10:15:30Z"),
            ]);

        result.ErrorKind.Should().Be(ProviderErrorKind.RateLimited);
        result.ProviderErrorCode.Should().Be("rate_limit_error");
        result.RetryAfter.Should().Be(TimeSpan.FromSeconds(30));
        result.RequestId.Should().Be("req_011CSHrTk9vW2mZx4aLpQ7cD");
    }

    [Fact]
    public async Task VerifyAsync_Anthropic529OverloadedError_ReturnsTransient()
    {
        var result = await VerifyAsync(ProviderId.Anthropic, 529, "anthropic-529-overloaded-error.json", headers: ("request-id", "req_011CSHsYp3bN6cVx8eRtU1fG"));

        result.ErrorKind.Should().Be(ProviderErrorKind.Transient);
        result.StatusCode.Should().Be(529);
        result.ProviderErrorCode.Should().Be("overloaded_error");
        result.RequestId.Should().Be("req_011CSHsYp3bN6cVx8eRtU1fG");
    }

    [Fact]
    public async Task VerifyAsync_Anthropic400CreditBalanceTooLow_ReturnsQuotaExhausted()
    {
        const string body = """{"type":"error","error":{"type":"invalid_request_error","message":"Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."},"request_id":"req_011CSHtZq4cP7dWy9fSuV2gH"}""";

        var result = await VerifyRawAsync(ProviderId.Anthropic, 400, body);

        result.ErrorKind.Should().Be(ProviderErrorKind.QuotaExhausted);
        result.ProviderErrorCode.Should().Be("invalid_request_error");
    }

    // ---- Google Gemini ----

    [Fact]
    public async Task VerifyAsync_Gemini400ApiKeyInvalid_ReturnsInvalidKey()
    {
        var result = await VerifyAsync(ProviderId.GoogleGemini, 400, "gemini-400-api-key-invalid.json");

        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey, "Gemini answers a bad key with 400, reason API_KEY_INVALID");
        result.StatusCode.Should().Be(400);
        result.ProviderErrorCode.Should().Be("API_KEY_INVALID", "the reason that decided the kind is the useful code, not the echoed HTTP status");
        result.Message.Should().Contain("API key not valid");
    }

    [Fact]
    public async Task VerifyAsync_Gemini400InvalidArgumentWithoutApiKeyReason_ReturnsBadRequest()
    {
        var result = await VerifyAsync(ProviderId.GoogleGemini, 400, "gemini-400-invalid-argument.json");

        result.ErrorKind.Should().Be(ProviderErrorKind.BadRequest);
        result.ProviderErrorCode.Should().Be("INVALID_ARGUMENT");
    }

    [Fact]
    public async Task VerifyAsync_Gemini400FailedPrecondition_ReturnsForbidden()
    {
        var result = await VerifyAsync(ProviderId.GoogleGemini, 400, "gemini-400-failed-precondition.json");

        result.ErrorKind.Should().Be(ProviderErrorKind.Forbidden);
        result.ProviderErrorCode.Should().Be("FAILED_PRECONDITION");
        result.Message.Should().Contain("User location is not supported");
    }

    [Fact]
    public async Task VerifyAsync_Gemini403PermissionDenied_ReturnsForbidden()
    {
        var result = await VerifyAsync(ProviderId.GoogleGemini, 403, "gemini-403-permission-denied.json");

        result.ErrorKind.Should().Be(ProviderErrorKind.Forbidden);
        result.ProviderErrorCode.Should().Be("PERMISSION_DENIED");
    }

    [Fact]
    public async Task VerifyAsync_Gemini429ResourceExhausted_ReturnsRateLimited()
    {
        var result = await VerifyAsync(ProviderId.GoogleGemini, 429, "gemini-429-resource-exhausted.json");

        result.ErrorKind.Should().Be(ProviderErrorKind.RateLimited);
        result.ProviderErrorCode.Should().Be("RESOURCE_EXHAUSTED");
        result.RetryAfter.Should().BeNull("Gemini sends no delay header");
    }

    // ---- Cohere ----

    [Fact]
    public async Task VerifyAsync_Cohere200ValidFalse_ReturnsInvalidKey()
    {
        var result = await VerifyAsync(ProviderId.Cohere, 200, "cohere-check-api-key-invalid.json");

        result.IsValid.Should().BeFalse();
        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        result.StatusCode.Should().Be(200);
        result.Invoking(r => r.EnsureValid()).Should().Throw<ProviderRequestException>().Which.Kind.Should().Be(ProviderErrorKind.InvalidKey);
    }

    [Fact]
    public async Task VerifyAsync_Cohere200ValidTrue_ReturnsValid()
    {
        var result = await VerifyAsync(ProviderId.Cohere, 200, "cohere-check-api-key-valid.json");

        result.IsValid.Should().BeTrue(result.Message);
    }

    [Fact]
    public async Task VerifyAsync_Cohere401_ReturnsInvalidKey()
    {
        var result = await VerifyRawAsync(ProviderId.Cohere, 401, """{"id":"6a3e1c2b-4d5f-4e6a-9b8c-7d0e1f2a3b4c","message":"invalid api token"}""");

        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        result.Message.Should().Contain("invalid api token");
    }

    // ---- Mistral ----

    [Fact]
    public async Task VerifyAsync_Mistral401Unauthorized_ReturnsAmbiguousInvalidKeyOrQuotaExhausted()
    {
        var result = await VerifyAsync(ProviderId.Mistral, 401, "mistral-401-unauthorized.json");

        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        result.IsAmbiguous.Should().BeTrue();
        result.AlternativeKind.Should().Be(ProviderErrorKind.QuotaExhausted);
        result.Message.Should().Contain("Unauthorized").And.Contain("billing");

        var thrown = result.Invoking(r => r.EnsureValid()).Should().Throw<ProviderRequestException>().Which;
        thrown.IsAmbiguous.Should().BeTrue();
        thrown.AlternativeKind.Should().Be(ProviderErrorKind.QuotaExhausted);
    }

    [Fact]
    public async Task VerifyAsync_Mistral429_IsNotAmbiguous()
    {
        var result = await VerifyRawAsync(ProviderId.Mistral, 429, """{"message":"Requests rate limit exceeded"}""", headers: ("x-ratelimit-remaining-req-minute", "0"));

        result.ErrorKind.Should().Be(ProviderErrorKind.RateLimited);
        result.IsAmbiguous.Should().BeFalse();
        result.AlternativeKind.Should().BeNull();
    }

    // ---- DeepSeek ----

    [Fact]
    public async Task VerifyAsync_DeepSeek402InsufficientBalance_ReturnsQuotaExhausted()
    {
        var result = await VerifyAsync(ProviderId.DeepSeek, 402, "deepseek-402-insufficient-balance.json");

        result.ErrorKind.Should().Be(ProviderErrorKind.QuotaExhausted);
        result.Message.Should().Contain("Insufficient Balance");
    }

    [Fact]
    public async Task VerifyAsync_DeepSeek200NotAvailable_ReturnsQuotaExhausted()
    {
        var result = await VerifyAsync(ProviderId.DeepSeek, 200, "deepseek-balance-unavailable.json");

        result.ErrorKind.Should().Be(ProviderErrorKind.QuotaExhausted);
        result.StatusCode.Should().Be(200);
        result.Message.Should().Contain("is_available");
    }

    // ---- xAI ----

    [Fact]
    public async Task VerifyAsync_XAI200ApiKeyDisabled_ReturnsInvalidKey()
    {
        var result = await VerifyAsync(ProviderId.XAI, 200, "xai-api-key-disabled.json");

        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        result.StatusCode.Should().Be(200);
    }

    [Fact]
    public async Task VerifyAsync_XAI200ApiKeyBlocked_ReturnsInvalidKey()
    {
        var body = TestData.Read("xai-api-key.json").Replace("\"api_key_blocked\": false", "\"api_key_blocked\": true");

        var result = await VerifyRawAsync(ProviderId.XAI, 200, body);

        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
    }

    [Fact]
    public async Task VerifyAsync_XAI200TeamBlocked_ReturnsForbidden()
    {
        var result = await VerifyAsync(ProviderId.XAI, 200, "xai-api-key-team-blocked.json");

        result.ErrorKind.Should().Be(ProviderErrorKind.Forbidden);
        result.StatusCode.Should().Be(200);
    }

    // ---- OpenRouter ----

    [Fact]
    public async Task VerifyAsync_OpenRouter401_ReturnsInvalidKey()
    {
        var result = await VerifyAsync(ProviderId.OpenRouter, 401, "openrouter-401-unauthorized.json");

        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        result.Message.Should().Contain("Missing Authentication header");
    }

    [Fact]
    public async Task VerifyAsync_OpenRouter402_ReturnsQuotaExhausted()
    {
        var result = await VerifyAsync(ProviderId.OpenRouter, 402, "openrouter-402-insufficient-credits.json");

        result.ErrorKind.Should().Be(ProviderErrorKind.QuotaExhausted);
        result.Message.Should().Contain("Insufficient credits");
    }

    // ---- Azure OpenAI ----

    [Fact]
    public async Task VerifyAsync_Azure401AccessDenied_ReturnsInvalidKey()
    {
        var result = await VerifyAsync(ProviderId.AzureOpenAI, 401, "azure-401-access-denied.json", headers: ("apim-request-id", AzureRequestId));

        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        result.ProviderErrorCode.Should().Be("401");
        result.Message.Should().Contain("Access denied due to invalid subscription key or wrong API endpoint");
        result.RequestId.Should().Be(AzureRequestId);
    }

    [Fact]
    public async Task VerifyAsync_Azure429WithRetryAfter_ReturnsRateLimitedWithDelay()
    {
        var result = await VerifyAsync(ProviderId.AzureOpenAI, 429, "azure-429-rate-limit.json", headers: [("Retry-After", "12"), ("apim-request-id", AzureRequestId)]);

        result.ErrorKind.Should().Be(ProviderErrorKind.RateLimited);
        result.RetryAfter.Should().Be(TimeSpan.FromSeconds(12));
        result.RequestId.Should().Be(AzureRequestId);
    }

    // ---- Groq ----

    [Fact]
    public async Task VerifyAsync_Groq498CapacityExceeded_ReturnsTransient()
    {
        var result = await VerifyAsync(ProviderId.Groq, 498, "groq-498-capacity-exceeded.json");

        result.ErrorKind.Should().Be(ProviderErrorKind.Transient, "498 is Groq's flex-tier capacity signal, not an unknown status");
        result.StatusCode.Should().Be(498);
    }

    [Fact]
    public async Task VerifyAsync_Groq401InvalidApiKey_ReturnsInvalidKey()
    {
        var result = await VerifyAsync(ProviderId.Groq, 401, "groq-401-invalid-api-key.json");

        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        result.ProviderErrorCode.Should().Be("invalid_api_key");
    }

    // ---- Amazon Bedrock ----

    [Fact]
    public async Task VerifyAsync_Bedrock403UnrecognizedClient_ReturnsInvalidKey()
    {
        var result = await VerifyAsync(
            ProviderId.AwsBedrock,
            403,
            "bedrock-403-unrecognized-client.json",
            headers: [("x-amzn-ErrorType", "UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/"), ("x-amzn-RequestId", AwsRequestId)]);

        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey, "a 403 alone would be Forbidden; the error type says AWS does not know the token");
        result.ProviderErrorCode.Should().Be("UnrecognizedClientException");
        result.RequestId.Should().Be(AwsRequestId);
        result.Message.Should().Contain("security token included in the request is invalid");
    }

    [Fact]
    public async Task VerifyAsync_Bedrock403AccessDenied_ReturnsForbidden()
    {
        var result = await VerifyAsync(
            ProviderId.AwsBedrock,
            403,
            "bedrock-403-access-denied.json",
            headers: [("x-amzn-ErrorType", "AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/"), ("x-amzn-RequestId", AwsRequestId)]);

        result.ErrorKind.Should().Be(ProviderErrorKind.Forbidden);
        result.ProviderErrorCode.Should().Be("AccessDeniedException");
    }

    // ---- Replicate ----

    [Fact]
    public async Task VerifyAsync_Replicate401ProblemJson_ReturnsInvalidKey()
    {
        var result = await VerifyAsync(ProviderId.Replicate, 401, "replicate-401-unauthenticated.json", mediaType: "application/problem+json");

        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        result.Message.Should().Contain("You did not pass a valid authentication token");
    }

    // ---- helpers ----

    internal static Task<KeyVerificationResult> VerifyAsync(ProviderId provider, int status, string bodyFile, string mediaType = "application/json", params (string Name, string Value)[] headers)
        => VerifyRawAsync(provider, status, TestData.Read(bodyFile), mediaType, headers);

    internal static Task<KeyVerificationResult> VerifyRawAsync(ProviderId provider, int status, string body, params (string Name, string Value)[] headers)
        => VerifyRawAsync(provider, status, body, "application/json", headers);

    internal static async Task<KeyVerificationResult> VerifyRawAsync(ProviderId provider, int status, string body, string mediaType, params (string Name, string Value)[] headers)
    {
        var row = CatalogKeyVerifierRequestTests.VerifyCalls.Single(r => (string)r[0] == provider.Value);
        using var key = FakeKeys.Generate(provider);
        using var harness = new VerifierHarness();
        harness.Expect(new HttpMethod((string)row[1]), (string)row[2], (HttpStatusCode)status, body, mediaType, headers);

        var result = await harness.Verifier.VerifyAsync(provider, key, CatalogKeyVerifierRequestTests.OptionsFor(provider));

        harness.Mock.VerifyNoOutstandingExpectation();
        result.Provider.Should().Be(provider);
        return result;
    }
}
