using System.Net;
using IronCage.Providers;
using IronCage.Testing;
using IronCage.Verification;

namespace IronCage.Core.Tests.Verification;

/// <summary>The verify call each built-in provider gets, on the wire, and a 200 read as a valid key.</summary>
public sealed class CatalogKeyVerifierRequestTests
{
    private const string AzureEndpoint = "https://my-resource.openai.azure.com";

    /// <summary>Provider id, method, exact URL (query included) and the 200 body it answers with.</summary>
    public static TheoryData<string, string, string, string> VerifyCalls { get; } = new()
    {
        { "openai", "GET", "https://api.openai.com/v1/models", "openai-models.json" },
        { "anthropic", "GET", "https://api.anthropic.com/v1/models", "anthropic-models.json" },
        { "aws-bedrock", "GET", "https://bedrock.us-east-1.amazonaws.com/foundation-models", "bedrock-foundation-models.json" },
        { "aws-bedrock-short-term", "GET", "https://bedrock.us-east-1.amazonaws.com/foundation-models", "bedrock-foundation-models.json" },
        { "azure-openai", "GET", "https://my-resource.openai.azure.com/openai/v1/models", "azure-models.json" },
        { "google-gemini", "GET", "https://generativelanguage.googleapis.com/v1beta/models?pageSize=1", "gemini-models.json" },
        { "openrouter", "GET", "https://openrouter.ai/api/v1/key", "openrouter-key.json" },
        { "xai", "GET", "https://api.x.ai/v1/api-key", "xai-api-key.json" },
        { "fireworks", "GET", "https://api.fireworks.ai/inference/v1/models", "fireworks-models.json" },
        { "mistral", "GET", "https://api.mistral.ai/v1/models", "mistral-models.json" },
        { "groq", "GET", "https://api.groq.com/openai/v1/models", "groq-models.json" },
        { "together", "GET", "https://api.together.xyz/v1/models", "together-models.json" },
        { "cohere", "POST", "https://api.cohere.com/v1/check-api-key", "cohere-check-api-key-valid.json" },
        { "replicate", "GET", "https://api.replicate.com/v1/account", "replicate-account.json" },
        { "deepseek", "GET", "https://api.deepseek.com/user/balance", "deepseek-balance.json" },
    };

    [Fact]
    public void VerifyCalls_EveryBuiltInProviderWithAVerifyCall_IsCovered()
    {
        var covered = VerifyCalls.Select(row => (string)row[0]).ToList();
        var withVerifyCall = ProviderCatalog.BuiltIn.All.Where(d => d.VerifyCall is not null).Select(d => d.Id.Value);

        covered.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(withVerifyCall);
        covered.Should().NotContain("perplexity", "Perplexity has no free verification call");
    }

    [Theory]
    [MemberData(nameof(VerifyCalls))]
    public async Task VerifyAsync_ProviderAnswers200_SendsDocumentedRequestAndReturnsValid(string providerId, string method, string url, string bodyFile)
    {
        var provider = ProviderId.Parse(providerId);
        using var key = FakeKeys.Generate(provider);
        using var harness = new VerifierHarness();
        harness.Expect(new HttpMethod(method), url, HttpStatusCode.OK, TestData.Read(bodyFile));

        var result = await harness.Verifier.VerifyAsync(provider, key, OptionsFor(provider));

        harness.Mock.VerifyNoOutstandingExpectation();
        var request = harness.LastRequest!;
        request.Method.Method.Should().Be(method);
        request.Url.Should().Be(url);
        request.Body.Should().BeNull("no built-in verify call sends a body");
        AssertCarriesKey(provider, request, key.Reveal());

        result.IsValid.Should().BeTrue(result.Message);
        result.ErrorKind.Should().BeNull();
        result.Provider.Should().Be(provider);
        result.StatusCode.Should().Be(200);
        result.IsAmbiguous.Should().BeFalse();
        result.Invoking(r => r.EnsureValid()).Should().NotThrow();
    }

    [Fact]
    public async Task VerifyAsync_AnthropicKey_SendsXApiKeyAndAnthropicVersionButNoBearer()
    {
        using var key = FakeKeys.Generate(ProviderId.Anthropic);
        using var harness = new VerifierHarness();
        harness.Expect(HttpMethod.Get, "https://api.anthropic.com/v1/models", HttpStatusCode.OK, TestData.Read("anthropic-models.json"));

        (await harness.Verifier.VerifyAsync(ProviderId.Anthropic, key)).IsValid.Should().BeTrue();

        var headers = harness.LastRequest!.Headers;
        headers.Should().ContainKey("x-api-key").WhoseValue.Should().Be(key.Reveal());
        headers.Should().ContainKey("anthropic-version").WhoseValue.Should().Be("2023-06-01");
        headers.Should().NotContainKey("Authorization");
    }

    [Fact]
    public async Task VerifyAsync_GeminiKey_SendsHeaderNotQueryParameter()
    {
        using var key = FakeKeys.Generate(ProviderId.GoogleGemini);
        using var harness = new VerifierHarness();
        harness.Expect(HttpMethod.Get, "https://generativelanguage.googleapis.com/v1beta/models?pageSize=1", HttpStatusCode.OK, TestData.Read("gemini-models.json"));

        (await harness.Verifier.VerifyAsync(ProviderId.GoogleGemini, key)).IsValid.Should().BeTrue();

        harness.LastRequest!.Headers.Should().ContainKey("x-goog-api-key").WhoseValue.Should().Be(key.Reveal());
        harness.LastRequest.Url.Should().NotContain("key=", "a key in the URL ends up in proxy and server logs");
    }

    [Fact]
    public async Task VerifyAsync_AzureEndpointWithTrailingSlash_ResolvesSameUrl()
    {
        using var key = FakeKeys.Generate(ProviderId.AzureOpenAI);
        using var harness = new VerifierHarness();
        harness.Expect(HttpMethod.Get, "https://my-resource.openai.azure.com/openai/v1/models", HttpStatusCode.OK, TestData.Read("azure-models.json"));

        var result = await harness.Verifier.VerifyAsync(
            ProviderId.AzureOpenAI,
            key,
            new KeyVerificationOptions { Parameters = new Dictionary<string, string> { ["endpoint"] = AzureEndpoint + "/" } });

        result.IsValid.Should().BeTrue(result.Message);
        harness.Mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task VerifyAsync_BedrockRegionInParameters_UsesThatRegion()
    {
        using var key = FakeKeys.Generate(ProviderId.AwsBedrock);
        using var harness = new VerifierHarness();
        harness.Expect(HttpMethod.Get, "https://bedrock.eu-central-1.amazonaws.com/foundation-models", HttpStatusCode.OK, TestData.Read("bedrock-foundation-models.json"));

        var result = await harness.Verifier.VerifyAsync(
            ProviderId.AwsBedrock,
            key,
            new KeyVerificationOptions { Parameters = new Dictionary<string, string> { ["region"] = "eu-central-1" } });

        result.IsValid.Should().BeTrue(result.Message);
        harness.Mock.VerifyNoOutstandingExpectation();
    }

    [Fact]
    public async Task VerifyAsync_ReplicateDocumentedExampleWithTrailingComma_IsStillValid()
    {
        // Replicate's own example JSON has a trailing comma: a 200 means valid whether or not the body parses.
        using var key = FakeKeys.Generate(ProviderId.Replicate);
        using var harness = new VerifierHarness();
        harness.Expect(HttpMethod.Get, "https://api.replicate.com/v1/account", HttpStatusCode.OK, TestData.Read("replicate-account-trailing-comma.json"));

        var result = await harness.Verifier.VerifyAsync(ProviderId.Replicate, key);

        result.IsValid.Should().BeTrue(result.Message);
    }

    [Fact]
    public async Task VerifyAsync_OpenAIAdminKey_ListsOneAdminKey()
    {
        using var key = FakeKeys.Generate(ProviderId.OpenAI, KeyKind.Admin);
        using var harness = new VerifierHarness();
        harness.Expect(HttpMethod.Get, "https://api.openai.com/v1/organization/admin_api_keys?limit=1", HttpStatusCode.OK, TestData.Read("openai-admin-api-keys.json"));

        var result = await harness.Verifier.VerifyAsync(ProviderId.OpenAI, key, new KeyVerificationOptions { Kind = KeyKind.Admin });

        harness.Mock.VerifyNoOutstandingExpectation();
        harness.LastRequest!.Url.Should().Be("https://api.openai.com/v1/organization/admin_api_keys?limit=1");
        harness.LastRequest.Headers.Should().ContainKey("Authorization").WhoseValue.Should().Be("Bearer " + key.Reveal());
        result.IsValid.Should().BeTrue(result.Message);
    }

    [Fact]
    public async Task VerifyAsync_AnthropicAdminKey_ReadsOrganizationsMe()
    {
        using var key = FakeKeys.Generate(ProviderId.Anthropic, KeyKind.Admin);
        using var harness = new VerifierHarness();
        harness.Expect(HttpMethod.Get, "https://api.anthropic.com/v1/organizations/me", HttpStatusCode.OK, TestData.Read("anthropic-organization-me.json"));

        var result = await harness.Verifier.VerifyAsync(ProviderId.Anthropic, key, new KeyVerificationOptions { Kind = KeyKind.Admin });

        harness.Mock.VerifyNoOutstandingExpectation();
        harness.LastRequest!.Headers.Should().ContainKey("x-api-key").WhoseValue.Should().Be(key.Reveal());
        harness.LastRequest.Headers.Should().ContainKey("anthropic-version").WhoseValue.Should().Be("2023-06-01");
        result.IsValid.Should().BeTrue(result.Message);
    }

    [Fact]
    public async Task VerifyAsync_ProviderBaseAddressConfigured_SendsToOverrideKeepingPath()
    {
        using var key = FakeKeys.Generate(ProviderId.OpenAI);
        using var harness = new VerifierHarness(o => o.ProviderBaseAddresses[ProviderId.OpenAI] = new Uri("http://127.0.0.1:5099/"));
        harness.Expect(HttpMethod.Get, "http://127.0.0.1:5099/v1/models", HttpStatusCode.OK, TestData.Read("openai-models.json"));

        var result = await harness.Verifier.VerifyAsync(ProviderId.OpenAI, key);

        harness.Mock.VerifyNoOutstandingExpectation();
        harness.LastRequest!.Url.Should().Be("http://127.0.0.1:5099/v1/models");
        harness.LastRequest.Headers.Should().ContainKey("Authorization").WhoseValue.Should().Be("Bearer " + key.Reveal());
        result.IsValid.Should().BeTrue(result.Message);
    }

    [Fact]
    public async Task VerifyAsync_BaseAddressOverrideForAnotherProvider_DoesNotRerouteThisOne()
    {
        using var key = FakeKeys.Generate(ProviderId.Groq);
        using var harness = new VerifierHarness(o => o.ProviderBaseAddresses[ProviderId.OpenAI] = new Uri("http://127.0.0.1:5099/"));
        harness.Expect(HttpMethod.Get, "https://api.groq.com/openai/v1/models", HttpStatusCode.OK, TestData.Read("groq-models.json"));

        var result = await harness.Verifier.VerifyAsync(ProviderId.Groq, key);

        harness.Mock.VerifyNoOutstandingExpectation();
        result.IsValid.Should().BeTrue(result.Message);
    }

    [Fact]
    public async Task VerifyAsync_PerCallBaseAddress_WinsOverConfiguredOne()
    {
        using var key = FakeKeys.Generate(ProviderId.OpenAI);
        using var harness = new VerifierHarness(o => o.ProviderBaseAddresses[ProviderId.OpenAI] = new Uri("http://127.0.0.1:5099/"));
        harness.Expect(HttpMethod.Get, "http://localhost:6000/proxy/v1/models", HttpStatusCode.OK, TestData.Read("openai-models.json"));

        var result = await harness.Verifier.VerifyAsync(ProviderId.OpenAI, key, new KeyVerificationOptions { BaseAddress = new Uri("http://localhost:6000/proxy/") });

        harness.Mock.VerifyNoOutstandingExpectation();
        result.IsValid.Should().BeTrue(result.Message);
    }

    internal static KeyVerificationOptions? OptionsFor(ProviderId provider)
        => provider == ProviderId.AzureOpenAI
            ? new KeyVerificationOptions { Parameters = new Dictionary<string, string> { ["endpoint"] = AzureEndpoint } }
            : null;

    private static void AssertCarriesKey(ProviderId provider, CapturedRequest request, string key)
    {
        string[] keyHeaders = ["Authorization", "x-api-key", "api-key", "x-goog-api-key"];
        var expected = provider.Value switch
        {
            "anthropic" => ("x-api-key", key),
            "azure-openai" => ("api-key", key),
            "google-gemini" => ("x-goog-api-key", key),
            _ => ("Authorization", "Bearer " + key),
        };

        request.Headers.Should().ContainKey(expected.Item1).WhoseValue.Should().Be(expected.Item2);
        foreach (var other in keyHeaders.Where(h => !h.Equals(expected.Item1, StringComparison.OrdinalIgnoreCase)))
        {
            request.Headers.Should().NotContainKey(other, "the key travels in exactly one place");
        }

        if (provider == ProviderId.Anthropic)
        {
            request.Headers.Should().ContainKey("anthropic-version").WhoseValue.Should().Be("2023-06-01");
        }
        else
        {
            request.Headers.Should().NotContainKey("anthropic-version");
        }

        request.Url.Should().NotContain(key, "the key never goes in the URL");
    }
}
