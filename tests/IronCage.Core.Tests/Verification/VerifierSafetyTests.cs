using System.Net;
using IronCage.Providers;
using IronCage.Testing;
using IronCage.Verification;

namespace IronCage.Core.Tests.Verification;

/// <summary>The verifier never sends a key where it does not belong: not another provider's key, not a malformed one, not to a foreign host, not over plain http.</summary>
public sealed class VerifierSafetyTests
{
    [Fact]
    public async Task VerifyAsync_AnotherProvidersKey_IsRefusedBeforeAnyRequest()
    {
        using var harness = new VerifierHarness();
        using var anthropicKey = FakeKeys.Generate(ProviderId.Anthropic);

        var act = async () => await harness.Verifier.VerifyAsync(ProviderId.OpenAI, anthropicKey);

        (await act.Should().ThrowAsync<KeyFormatException>()).Which.Error.Should().Be(KeyFormatError.OtherProvidersKey);
        harness.LastRequest.Should().BeNull();
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\nX-Injected: 1")]
    public async Task VerifyAsync_KeyWithLineBreaks_IsRefusedBeforeAnyRequest(string tail)
    {
        using var harness = new VerifierHarness();
        using var key = SecretValue.FromString(FakeKeys.GenerateText(ProviderId.Anthropic) + tail);

        var act = async () => await harness.Verifier.VerifyAsync(ProviderId.Anthropic, key);

        (await act.Should().ThrowAsync<KeyFormatException>()).Which.Error.Should().Be(KeyFormatError.Whitespace);
        harness.LastRequest.Should().BeNull();
    }

    [Fact]
    public async Task VerifyAsync_AdminKeyAsInference_IsRefused()
    {
        using var harness = new VerifierHarness();
        using var admin = FakeKeys.Generate(ProviderId.OpenAI, KeyKind.Admin);

        var act = async () => await harness.Verifier.VerifyAsync(ProviderId.OpenAI, admin);

        (await act.Should().ThrowAsync<KeyFormatException>()).Which.Error.Should().Be(KeyFormatError.AdminKeyAsInference);
    }

    [Theory]
    [InlineData("https://evil.example", "not a host of this provider")]
    [InlineData("https://my-resource.openai.azure.com.evil.example", "not a host of this provider")]
    [InlineData("http://my-resource.openai.azure.com", "plain http")]
    [InlineData("https://user:pass@my-resource.openai.azure.com", "credentials")]
    [InlineData("https://my-resource.openai.azure.com/?x=1", "credentials, a query")]
    [InlineData("my-resource", "absolute https URL")]
    public async Task VerifyAsync_UnsafeAzureEndpoint_IsRefused(string endpoint, string message)
    {
        using var harness = new VerifierHarness();
        using var key = FakeKeys.Generate(ProviderId.AzureOpenAI);

        var act = async () => await harness.Verifier.VerifyAsync(ProviderId.AzureOpenAI, key, new KeyVerificationOptions
        {
            Parameters = new Dictionary<string, string> { ["endpoint"] = endpoint },
        });

        await act.Should().ThrowAsync<IronCageException>().WithMessage($"*{message}*");
        harness.LastRequest.Should().BeNull();
    }

    [Theory]
    [InlineData("evil.example/x?")]
    [InlineData("us-east-1.evil")]
    [InlineData("us east 1")]
    public async Task VerifyAsync_UnsafeBedrockRegion_IsRefused(string region)
    {
        using var harness = new VerifierHarness();
        using var key = SecretValue.FromString("ABSKQmVkcm9ja0FQSUtleS1" + new string('q', 20) + "Zx81");

        var act = async () => await harness.Verifier.VerifyAsync(ProviderId.AwsBedrock, key, new KeyVerificationOptions
        {
            Parameters = new Dictionary<string, string> { ["region"] = region },
        });

        await act.Should().ThrowAsync<IronCageException>().WithMessage("*only hold letters, digits and dashes*");
    }

    [Fact]
    public async Task VerifyAsync_AzureSovereignAndAiFoundryHosts_AreAccepted()
    {
        using var harness = new VerifierHarness();
        using var key = FakeKeys.Generate(ProviderId.AzureOpenAI);
        harness.Expect(HttpMethod.Get, "https://my-resource.services.ai.azure.com/openai/v1/models", HttpStatusCode.OK, "{\"data\":[]}");

        var result = await harness.Verifier.VerifyAsync(ProviderId.AzureOpenAI, key, new KeyVerificationOptions
        {
            Parameters = new Dictionary<string, string> { ["endpoint"] = "https://my-resource.services.ai.azure.com/" },
        });

        result.IsValid.Should().BeTrue(result.Message);
    }

    [Fact]
    public async Task VerifyAsync_OpenAIRestrictedKeyMissingScopes_IsForbiddenNotInvalid()
    {
        using var harness = new VerifierHarness();
        using var key = FakeKeys.Generate(ProviderId.OpenAI);
        harness.Expect(HttpMethod.Get, "https://api.openai.com/v1/models", HttpStatusCode.Unauthorized,
            "{\"error\":{\"message\":\"You have insufficient permissions for this operation. Missing scopes: api.model.read. Check that you have the correct role in your organization.\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");

        var result = await harness.Verifier.VerifyAsync(ProviderId.OpenAI, key);

        result.ErrorKind.Should().Be(ProviderErrorKind.Forbidden);
        result.ErrorKind!.Value.RecommendedAction.Should().Be(KeyAction.Disable, "a genuine key that lacks a scope must not be rotated away");
    }

    [Fact]
    public async Task VerifyAsync_OpenRouterAdminKeyThatIsNotAManagementKey_IsForbidden()
    {
        using var harness = new VerifierHarness();
        using var key = FakeKeys.Generate(ProviderId.OpenRouter);
        harness.Expect(HttpMethod.Get, "https://openrouter.ai/api/v1/key", HttpStatusCode.OK,
            "{\"data\":{\"label\":\"sk-or-v1-0e6...1c96\",\"limit\":null,\"usage\":0,\"is_free_tier\":false,\"is_management_key\":false,\"is_provisioning_key\":false}}");

        var result = await harness.Verifier.VerifyAsync(ProviderId.OpenRouter, key, new KeyVerificationOptions { Kind = KeyKind.Admin });

        result.ErrorKind.Should().Be(ProviderErrorKind.Forbidden);
    }

    [Fact]
    public async Task VerifyAsync_OpenRouterManagementKey_IsValidAsAdmin()
    {
        using var harness = new VerifierHarness();
        using var key = FakeKeys.Generate(ProviderId.OpenRouter);
        harness.Expect(HttpMethod.Get, "https://openrouter.ai/api/v1/key", HttpStatusCode.OK,
            "{\"data\":{\"label\":\"sk-or-v1-0e6...1c96\",\"limit\":null,\"usage\":0,\"is_free_tier\":false,\"is_management_key\":true,\"is_provisioning_key\":true}}");

        (await harness.Verifier.VerifyAsync(ProviderId.OpenRouter, key, new KeyVerificationOptions { Kind = KeyKind.Admin })).IsValid.Should().BeTrue();
    }
}
