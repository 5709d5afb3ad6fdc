using System.Net;
using IronCage.Core.Tests.Support;
using IronCage.Testing;
using IronCage.Verification;
using Microsoft.Extensions.Logging;
using RichardSzalay.MockHttp;

namespace IronCage.Core.Tests.Verification;

/// <summary>
/// The key never comes back out: not in results, exceptions or log lines (at any level, scopes included), even
/// when the provider echoes it.
/// </summary>
public sealed class CatalogKeyVerifierSecretTests
{
    private const int LeakWindow = 20;

    [Fact]
    public async Task VerifyAsync_OpenAI401EchoingTheKey_NeverReturnsOrLogsTheKey()
    {
        using var key = FakeKeys.Generate(ProviderId.OpenAI);
        var keyText = key.Reveal();
        using var harness = new VerifierHarness();
        harness.Expect(HttpMethod.Get, "https://api.openai.com/v1/models", HttpStatusCode.Unauthorized, EchoBody("openai-401-echoes-key.json", keyText), headers: ("x-request-id", "req_4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a99"));

        var result = await harness.Verifier.VerifyAsync(ProviderId.OpenAI, key);

        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey, "the body is still read for its classification");
        result.ProviderErrorCode.Should().Be("invalid_api_key");
        result.Message.Should().Contain("Incorrect API key provided").And.Contain("[redacted]");
        AssertNoLeak(result, keyText);
        AssertNoLeak(harness.Logs, keyText);
        harness.Logs.Entries.Should().Contain(e => e.EventId.Id == 2 && e.Level == LogLevel.Warning && e.Message.Contains(key.DisplayHint), "the failure is logged, with the hint only");
    }

    [Fact]
    public async Task VerifyAsync_OpenAI401WithShortenedKeyEcho_ScrubsThePrefixedRemainder()
    {
        // OpenAI's real message shows the key's prefix and last characters around asterisks.
        using var key = FakeKeys.Generate(ProviderId.OpenAI);
        var keyText = key.Reveal();
        var shortened = keyText[..30] + new string('*', 40) + keyText[^4..];
        using var harness = new VerifierHarness();
        harness.Expect(HttpMethod.Get, "https://api.openai.com/v1/models", HttpStatusCode.Unauthorized, EchoBody("openai-401-echoes-key.json", shortened));

        var result = await harness.Verifier.VerifyAsync(ProviderId.OpenAI, key);

        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        AssertNoLeak(result, keyText);
        AssertNoLeak(harness.Logs, keyText);
    }

    [Theory]
    [InlineData("mistral")]
    [InlineData("cohere")]
    [InlineData("azure-openai")]
    [InlineData("aws-bedrock")]
    [InlineData("deepseek")]
    [InlineData("anthropic")]
    [InlineData("google-gemini")]
    public async Task VerifyAsync_ErrorEchoingTheKeyInCodeMessageAndRequestId_NeverReturnsOrLogsTheKey(string providerId)
    {
        var provider = ProviderId.Parse(providerId);
        using var key = FakeKeys.Generate(provider);
        var keyText = key.Reveal();
        var row = CatalogKeyVerifierRequestTests.VerifyCalls.Single(r => (string)r[0] == providerId);
        var body = $$"""{"error":{"code":"{{keyText}}","type":"{{keyText}}","message":"The key {{keyText}} was not accepted."},"detail":"{{keyText}}","request_id":"{{keyText}}"}""";
        using var harness = new VerifierHarness();
        harness.Expect(new HttpMethod((string)row[1]), (string)row[2], HttpStatusCode.Unauthorized, body, headers: ("x-request-id", keyText));

        var result = await harness.Verifier.VerifyAsync(provider, key, CatalogKeyVerifierRequestTests.OptionsFor(provider));

        result.IsValid.Should().BeFalse();
        result.StatusCode.Should().Be(401);
        AssertNoLeak(result, keyText);
        AssertNoLeak(harness.Logs, keyText);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    [InlineData("azure-openai")]
    [InlineData("google-gemini")]
    public async Task VerifyAsync_ValidKeyWithTraceLogging_NeverLogsTheKeyHeader(string providerId)
    {
        var provider = ProviderId.Parse(providerId);
        using var key = FakeKeys.Generate(provider);
        var keyText = key.Reveal();
        var row = CatalogKeyVerifierRequestTests.VerifyCalls.Single(r => (string)r[0] == providerId);
        using var harness = new VerifierHarness();
        harness.Expect(new HttpMethod((string)row[1]), (string)row[2], HttpStatusCode.OK, TestData.Read((string)row[3]));

        var result = await harness.Verifier.VerifyAsync(provider, key, CatalogKeyVerifierRequestTests.OptionsFor(provider));

        result.IsValid.Should().BeTrue(result.Message);
        harness.Logs.Entries.Should().NotContain(e => e.Category.StartsWith("System.Net.Http.HttpClient.", StringComparison.Ordinal), "the verify client has no HttpClientFactory logging handlers, which would write exception texts unscrubbed");
        harness.Logs.Entries.Should().Contain(e => e.EventId.Id == 1 && e.Message.Contains(key.DisplayHint), "success is logged at debug with the hint");
        AssertNoLeak(harness.Logs, keyText);
    }

    [Fact]
    public async Task VerifyAsync_ConnectionRefused_NeverLogsTheKey()
    {
        using var key = FakeKeys.Generate(ProviderId.Groq);
        var keyText = key.Reveal();
        using var harness = new VerifierHarness();
        harness.Mock.Expect(HttpMethod.Get, "https://api.groq.com/openai/v1/models")
            .Throw(new HttpRequestException("Connection refused (api.groq.com:443)", new System.Net.Sockets.SocketException(111)));

        var result = await harness.Verifier.VerifyAsync(ProviderId.Groq, key);

        result.ErrorKind.Should().Be(ProviderErrorKind.Transient);
        AssertNoLeak(result, keyText);
        AssertNoLeak(harness.Logs, keyText);
        harness.Logs.Entries.Should().Contain(e => e.EventId.Id == 3 && e.Message.Contains("Connection refused") && e.Message.Contains(key.DisplayHint));
    }

    [Fact]
    public async Task VerifyAsync_TransportErrorMentioningTheKey_ScrubsItFromResultAndIronCageLogs()
    {
        // A handler in the pipeline (a proxy, a custom DelegatingHandler) put the header into its exception.
        // HttpClientFactory's logging handlers would write that exception as is: the verify client has none, and what
        // IronCage returns and logs is scrubbed.
        using var key = FakeKeys.Generate(ProviderId.Groq);
        var keyText = key.Reveal();
        using var harness = new VerifierHarness();
        harness.Mock.Expect(HttpMethod.Get, "https://api.groq.com/openai/v1/models")
            .Throw(new HttpRequestException($"The proxy refused the request with header 'Authorization: Bearer {keyText}'."));

        var result = await harness.Verifier.VerifyAsync(ProviderId.Groq, key);

        result.ErrorKind.Should().Be(ProviderErrorKind.Transient);
        result.Message.Should().Contain("The proxy refused the request");
        AssertNoLeak(result, keyText);
        var ironCageLines = harness.Logs.Entries.Where(e => e.Category.StartsWith("IronCage", StringComparison.Ordinal)).ToList();
        ironCageLines.Should().ContainSingle(e => e.EventId.Id == 3);
        foreach (var text in harness.Logs.Entries.SelectMany(e => e.Texts))
        {
            AssertNoLeak(text, keyText, "a log line");
        }
    }

    [Fact]
    public void Scrub_TextWithSecretAndKeyShapes_RemovesThemAndKeepsTheRest()
    {
        using var mistralKey = FakeKeys.Generate(ProviderId.Mistral);
        var text = $"bad key {mistralKey.Reveal()} (also tried {FakeKeys.GenerateText(ProviderId.Anthropic)} and {FakeKeys.GenerateText(ProviderId.GoogleGemini)})";

        var scrubbed = IronCage.Internal.SecretScrubber.Scrub(text, mistralKey);

        scrubbed.Should().StartWith("bad key [redacted] (also tried sk-ant-api03-[redacted] and AIza[redacted])");
    }

    [Fact]
    public void ScrubIdentifier_RequestIdShapes_AreKeptVerbatim()
    {
        string[] ids = ["req_4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a99", "7d2a4c1e-9b3f-4e2a-8c5d-6f1e0a9b8c7d", "req_011CSHoEeqs5C35K2UUqR7Fy"];

        ids.Select(id => IronCage.Internal.SecretScrubber.ScrubIdentifier(id)).Should().Equal(ids);
    }

    [Fact]
    public void ScrubIdentifier_EchoedSecretOrPrefixedKey_IsRedacted()
    {
        using var key = FakeKeys.Generate(ProviderId.Cohere);

        IronCage.Internal.SecretScrubber.ScrubIdentifier(key.Reveal(), key).Should().Be("[redacted]");
        IronCage.Internal.SecretScrubber.ScrubIdentifier("id-" + FakeKeys.GenerateText(ProviderId.XAI)).Should().Be("id-xai-[redacted]");
    }

    [Fact]
    public void ProviderErrorBodyParse_GoogleErrorWithDetails_ReadsCodeStatusReasonAndMessage()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.BadRequest);

        var body = IronCage.Internal.ProviderErrorBody.Parse(System.Text.Encoding.UTF8.GetBytes(TestData.Read("gemini-400-api-key-invalid.json")), response.Headers, isError: true);

        body.Codes.Should().Equal("400", "INVALID_ARGUMENT", "API_KEY_INVALID");
        body.Message.Should().Be("API key not valid. Please pass a valid API key.");
        body.HasCode("api_key_invalid").Should().BeTrue("codes compare case-insensitively");
    }

    [Fact]
    public void ProviderErrorBodyParse_SuccessBody_ReadsTopLevelValuesButNoErrorDetails()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);

        var body = IronCage.Internal.ProviderErrorBody.Parse(System.Text.Encoding.UTF8.GetBytes("""{"valid":false,"message":"not an error","error":{"code":"x"}}"""), response.Headers, isError: false);

        body.TryGetValue("valid", out var valid).Should().BeTrue();
        valid.Should().Be("false");
        body.Codes.Should().BeEmpty();
        body.Message.Should().BeNull();
    }

    internal static void AssertNoLeak(KeyVerificationResult result, string keyText)
    {
        AssertNoLeak(result.Message, keyText, "KeyVerificationResult.Message");
        AssertNoLeak(result.ProviderErrorCode, keyText, "KeyVerificationResult.ProviderErrorCode");
        AssertNoLeak(result.RequestId, keyText, "KeyVerificationResult.RequestId");
        AssertNoLeak(result.ToString(), keyText, "KeyVerificationResult.ToString()");

        var thrown = result.Invoking(r => r.EnsureValid()).Should().Throw<ProviderRequestException>().Which;
        AssertNoLeak(thrown.Message, keyText, "exception message");
        AssertNoLeak(thrown.ToString(), keyText, "exception ToString()");
        AssertNoLeak(thrown.ProviderErrorCode, keyText, "exception ProviderErrorCode");
        AssertNoLeak(thrown.RequestId, keyText, "exception RequestId");
    }

    internal static void AssertNoLeak(RecordingLoggerProvider logs, string keyText)
    {
        logs.Entries.Should().NotBeEmpty("the verification flow logs something, or this check proves nothing");
        foreach (var text in logs.AllText)
        {
            AssertNoLeak(text, keyText, "a log line");
        }
    }

    private static void AssertNoLeak(string? text, string keyText, string where)
    {
        if (text is null)
        {
            return;
        }

        text.Should().NotContain(keyText, $"{where} must not contain the key");
        for (var i = 0; i + LeakWindow <= keyText.Length; i++)
        {
            var chunk = keyText.Substring(i, LeakWindow);
            text.Contains(chunk, StringComparison.Ordinal).Should().BeFalse($"{where} must not contain a {LeakWindow}-character piece of the key, but contains '{chunk}' in: {text}");
        }
    }

    private static string EchoBody(string templateFile, string echoed) => TestData.Read(templateFile).Replace("{{KEY}}", echoed, StringComparison.Ordinal);
}
