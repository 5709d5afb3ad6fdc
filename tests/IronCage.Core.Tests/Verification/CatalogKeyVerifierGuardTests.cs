using IronCage.Providers;
using IronCage.Testing;
using IronCage.Verification;

namespace IronCage.Core.Tests.Verification;

/// <summary>What VerifyAsync refuses before any request is sent (the mock throws on any request, so none is).</summary>
public sealed class CatalogKeyVerifierGuardTests
{
    [Fact]
    public async Task VerifyAsync_Perplexity_ThrowsNotSupportedByProvider()
    {
        using var key = FakeKeys.Generate(ProviderId.Perplexity);
        using var harness = new VerifierHarness();

        var verify = () => harness.Verifier.VerifyAsync(ProviderId.Perplexity, key);

        var thrown = (await verify.Should().ThrowAsync<NotSupportedByProviderException>()).Which;
        thrown.Provider.Should().Be(ProviderId.Perplexity);
        thrown.Capability.Should().Be(ProviderCapabilities.Verify);
        thrown.Message.Should().Contain("does not spend tokens", "the catalog's note on why there is no verify call is passed on");
        harness.Logs.Entries.Should().NotContain(e => e.Category.StartsWith("System.Net.Http", StringComparison.Ordinal), "nothing was sent");
    }

    [Fact]
    public async Task VerifyAsync_AdminKeyOfProviderWithoutAdminVerifyCall_ThrowsNotSupportedByProvider()
    {
        using var key = FakeKeys.Generate(ProviderId.Groq);
        using var harness = new VerifierHarness();

        var verify = () => harness.Verifier.VerifyAsync(ProviderId.Groq, key, new KeyVerificationOptions { Kind = KeyKind.Admin });

        (await verify.Should().ThrowAsync<NotSupportedByProviderException>()).Which.Capability.Should().Be(ProviderCapabilities.Verify);
    }

    [Fact]
    public async Task VerifyAsync_UnknownProvider_ThrowsUnknownProvider()
    {
        var acme = new ProviderId("acme-llm");
        using var key = FakeKeys.Generate(acme);
        using var harness = new VerifierHarness();

        var verify = () => harness.Verifier.VerifyAsync(acme, key);

        (await verify.Should().ThrowAsync<UnknownProviderException>()).Which.Provider.Should().Be(acme);
    }

    [Fact]
    public async Task VerifyAsync_AzureWithoutEndpoint_ThrowsIronCageExceptionNamingEndpoint()
    {
        using var key = FakeKeys.Generate(ProviderId.AzureOpenAI);
        using var harness = new VerifierHarness();

        var verify = () => harness.Verifier.VerifyAsync(ProviderId.AzureOpenAI, key);

        var thrown = (await verify.Should().ThrowAsync<IronCageException>()).Which;
        thrown.Should().BeOfType<IronCageException>("a missing scope value is a configuration error, not a provider answer");
        thrown.Message.Should().Contain("'endpoint'");
    }

    [Fact]
    public async Task VerifyAsync_AzureWithBlankEndpoint_ThrowsIronCageExceptionNamingEndpoint()
    {
        using var key = FakeKeys.Generate(ProviderId.AzureOpenAI);
        using var harness = new VerifierHarness();

        var verify = () => harness.Verifier.VerifyAsync(ProviderId.AzureOpenAI, key, new KeyVerificationOptions { Parameters = new Dictionary<string, string> { ["endpoint"] = " " } });

        (await verify.Should().ThrowAsync<IronCageException>()).Which.Message.Should().Contain("'endpoint'");
    }

    [Fact]
    public async Task VerifyAsync_AzureEndpointNotAnHttpUrl_ThrowsIronCageException()
    {
        using var key = FakeKeys.Generate(ProviderId.AzureOpenAI);
        using var harness = new VerifierHarness();

        var verify = () => harness.Verifier.VerifyAsync(ProviderId.AzureOpenAI, key, new KeyVerificationOptions { Parameters = new Dictionary<string, string> { ["endpoint"] = "my-resource" } });

        (await verify.Should().ThrowAsync<IronCageException>()).Which.Message.Should().Contain("endpoint");
    }

    [Fact]
    public async Task VerifyAsync_NullKey_ThrowsArgumentNull()
    {
        using var harness = new VerifierHarness();

        var verify = () => harness.Verifier.VerifyAsync(ProviderId.OpenAI, null!);

        await verify.Should().ThrowAsync<ArgumentNullException>();
    }
}
