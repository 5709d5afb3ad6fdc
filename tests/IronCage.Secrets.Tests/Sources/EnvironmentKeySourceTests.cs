using IronCage.Conformance;
using IronCage.Providers;
using IronCage.Testing;

namespace IronCage.Secrets.Tests.Sources;

public sealed class EnvironmentKeySourceTests
{
    private static async Task<List<KeyCandidate>> ReadAsync(IKeySource source)
    {
        var list = new List<KeyCandidate>();
        await foreach (var candidate in source.ReadAsync())
        {
            list.Add(candidate);
        }

        return list;
    }

    [Fact]
    public async Task ReadAsync_CatalogNamesAndAliases_AreCandidates_OtherVariablesAreNot()
    {
        var env = new DictionaryEnvironmentVariables(new Dictionary<string, string>
        {
            ["OPENAI_API_KEY"] = FakeKeys.GenerateText(ProviderId.OpenAI),
            ["CLAUDE_API_KEY"] = FakeKeys.GenerateText(ProviderId.Anthropic),
            ["CO_API_KEY"] = "cohere-key-0123456789abcdef0123",
            ["PPLX_API_KEY"] = FakeKeys.GenerateText(ProviderId.Perplexity),
            ["OPENAI_ADMIN_KEY"] = FakeKeys.GenerateText(ProviderId.OpenAI, KeyKind.Admin),
            ["SOMETHING_API_KEY"] = "abc",
            ["PATH"] = "/usr/bin",
            ["DATABASE_URL"] = "postgres://x",
            ["AWS_ACCESS_KEY_ID"] = "AKIAIOSFODNN7EXAMPLE",
            ["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            ["GROQ_API_KEY"] = string.Empty,
        });

        var candidates = await ReadAsync(new EnvironmentKeySource(Catalogs.BuiltIn, env));

        candidates.Select(c => c.Name).Should().BeEquivalentTo("OPENAI_API_KEY", "CLAUDE_API_KEY", "CO_API_KEY", "PPLX_API_KEY", "OPENAI_ADMIN_KEY", "SOMETHING_API_KEY");
        candidates.Single(c => c.Name == "OPENAI_API_KEY").Origin.Should().Be("env:OPENAI_API_KEY");
    }

    [Fact]
    public async Task ReadAsync_AzureKey_CarriesEndpointAndApiVersion_BedrockKeyCarriesRegion()
    {
        var env = new DictionaryEnvironmentVariables(new Dictionary<string, string>
        {
            ["AZURE_OPENAI_API_KEY"] = "0123456789abcdef0123456789abcdef",
            ["AZURE_OPENAI_ENDPOINT"] = "https://my-resource.openai.azure.com",
            ["AZURE_OPENAI_API_VERSION"] = "2024-10-21",
            ["AWS_BEARER_TOKEN_BEDROCK"] = "ABSKQmVkcm9ja0FQSUtleS1hYmNkZWZnaGlqa2xtbm9w",
            ["AWS_REGION"] = "eu-west-1",
        });

        var candidates = await ReadAsync(new EnvironmentKeySource(Catalogs.BuiltIn, env));

        candidates.Should().HaveCount(2, "the endpoint, API version and region are settings, not keys");
        candidates.Single(c => c.Name == "AZURE_OPENAI_API_KEY").Attributes.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["AZURE_OPENAI_ENDPOINT"] = "https://my-resource.openai.azure.com",
            ["AZURE_OPENAI_API_VERSION"] = "2024-10-21",
        });
        candidates.Single(c => c.Name == "AWS_BEARER_TOKEN_BEDROCK").Attributes.Should().ContainKey("AWS_REGION").WhoseValue.Should().Be("eu-west-1");
    }

    [Fact]
    public async Task ReadAsync_HostDescriptor_ItsVariableNamesAreRead()
    {
        var descriptor = new ProviderDescriptor(new ProviderId("acme"), "Acme AI")
        {
            ConsoleUrl = new Uri("https://acme.example/keys"),
            EnvironmentVariables = ["ACME_TOKEN"],
        };
        var catalog = ProviderCatalog.BuiltIn.With([descriptor]);
        var env = new DictionaryEnvironmentVariables(new Dictionary<string, string> { ["ACME_TOKEN"] = "acme-0123456789abcdef0123456789" });

        var candidates = await ReadAsync(new EnvironmentKeySource(catalog, env));

        candidates.Should().ContainSingle().Which.Name.Should().Be("ACME_TOKEN");
    }

    public sealed class Conformance : KeySourceConformanceTests
    {
        protected override Task<IKeySource> CreateSourceAsync(IReadOnlyDictionary<string, string> entries)
            => Task.FromResult<IKeySource>(new EnvironmentKeySource(Catalogs.BuiltIn, new DictionaryEnvironmentVariables(entries)));
    }
}
