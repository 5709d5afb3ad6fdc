using IronCage.Conformance;
using IronCage.Providers;

namespace IronCage.Testing.Tests;

/// <summary>
/// <see cref="FakeProviderAdapter"/> keeps the adapter contract for the catalog's capabilities of each provider below:
/// creating ones (OpenAI, Gemini with undelete, Bedrock with regenerate-by-id), ones that only manage existing keys
/// (Anthropic deactivates, Azure regenerates slots), a verify-only one (Groq) and one that supports nothing.
/// </summary>
public abstract class FakeProviderAdapterConformanceTests : ProviderAdapterConformanceTests
{
    private readonly ProviderId _provider;

    protected FakeProviderAdapterConformanceTests(ProviderId provider) => _provider = provider;

    protected override ProviderKeyContext Context => new() { Key = new KeyReference(_provider, "conformance") };

    protected override IProviderAdapter CreateAdapter() => FakeProviderAdapter.For(_provider);

    // A key a person created in the provider's console.
    protected override Task<CreatedProviderKey?> SeedKeyAsync(IProviderAdapter adapter)
    {
        var fake = (FakeProviderAdapter)adapter;
        var secret = FakeKeys.Generate(fake.Provider);
        var id = fake.AddExistingKey(secret, "seeded-by-conformance");
        return Task.FromResult<CreatedProviderKey?>(new CreatedProviderKey(id, secret));
    }
}

public sealed class FakeOpenAIAdapterConformanceTests() : FakeProviderAdapterConformanceTests(ProviderId.OpenAI);

public sealed class FakeGoogleGeminiAdapterConformanceTests() : FakeProviderAdapterConformanceTests(ProviderId.GoogleGemini);

public sealed class FakeAwsBedrockAdapterConformanceTests() : FakeProviderAdapterConformanceTests(ProviderId.AwsBedrock);

public sealed class FakeAnthropicAdapterConformanceTests() : FakeProviderAdapterConformanceTests(ProviderId.Anthropic);

public sealed class FakeAzureOpenAIAdapterConformanceTests() : FakeProviderAdapterConformanceTests(ProviderId.AzureOpenAI)
{
    protected override string? RegenerateSlot => "Key2";
}

public sealed class FakeGroqAdapterConformanceTests() : FakeProviderAdapterConformanceTests(ProviderId.Groq);

public sealed class FakeNoCapabilitiesAdapterConformanceTests() : FakeProviderAdapterConformanceTests(new ProviderId("acme-llm"))
{
    protected override IProviderAdapter CreateAdapter() => new FakeProviderAdapter(new ProviderId("acme-llm"), ProviderCapabilities.None);
}
