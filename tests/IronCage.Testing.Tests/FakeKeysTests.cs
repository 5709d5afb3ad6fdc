using IronCage.Providers;

namespace IronCage.Testing.Tests;

public sealed class FakeKeysTests
{
    /// <summary>Every (provider, kind) pair for which the built-in catalog documents a key format.</summary>
    public static TheoryData<string, KeyKind> DocumentedFormats()
    {
        var data = new TheoryData<string, KeyKind>();
        foreach (var descriptor in ProviderCatalog.BuiltIn.All.Where(d => d.KeyFormats.Count > 0))
        {
            foreach (var kind in descriptor.KeyFormats.Select(f => f.Kind).Distinct())
            {
                data.Add(descriptor.Id.Value, kind);
            }
        }

        return data;
    }

    [Fact]
    public void DocumentedFormats_BuiltInCatalog_CoversProvidersAndAdminKinds()
    {
        // Guards the theory below against silently testing nothing if the catalog changes shape.
        var pairs = DocumentedFormats().Select(row => ((string)row[0], (KeyKind)row[1])).ToList();

        pairs.Should().Contain(("openai", KeyKind.Inference)).And.Contain(("openai", KeyKind.Admin))
            .And.Contain(("anthropic", KeyKind.Admin)).And.Contain(("openrouter", KeyKind.Admin))
            .And.Contain(("azure-openai", KeyKind.Inference)).And.Contain(("deepseek", KeyKind.Inference));
        pairs.Select(p => p.Item1).Distinct().Should().HaveCount(ProviderCatalog.BuiltIn.All.Count(d => d.KeyFormats.Count > 0));
    }

    [Theory]
    [MemberData(nameof(DocumentedFormats))]
    public void Generate_ProviderWithDocumentedFormat_PassesFormatValidation(string providerId, KeyKind kind)
    {
        var provider = new ProviderId(providerId);

        // Several samples: the generator is random, and a single lucky value would prove little.
        for (var i = 0; i < 20; i++)
        {
            using var key = FakeKeys.Generate(provider, kind);

            var result = KeyFormatValidator.BuiltIn.Check(provider, key, kind);

            result.IsValid.Should().BeTrue($"{providerId} {kind} keys must pass validation, but: {result.Message}");
        }
    }

    [Theory]
    [MemberData(nameof(DocumentedFormats))]
    public void Generate_CalledTwice_GivesDifferentKeys(string providerId, KeyKind kind)
    {
        var provider = new ProviderId(providerId);

        using var first = FakeKeys.Generate(provider, kind);
        using var second = FakeKeys.Generate(provider, kind);

        first.Equals(second).Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(DocumentedFormats))]
    public void GenerateText_ProviderWithDocumentedFormat_MatchesOneOfItsFormats(string providerId, KeyKind kind)
    {
        var descriptor = ProviderCatalog.BuiltIn.GetDescriptor(new ProviderId(providerId));

        var text = FakeKeys.GenerateText(descriptor.Id, kind);

        descriptor.FormatsFor(kind).Where(f => f.IsMatch(text.AsSpan())).Should().NotBeEmpty();
    }

    [Fact]
    public void Generate_AdminForOpenAI_IsAnAdminKeyNotAnInferenceKey()
    {
        using var admin = FakeKeys.Generate(ProviderId.OpenAI, KeyKind.Admin);

        var asInference = KeyFormatValidator.BuiltIn.Check(ProviderId.OpenAI, admin, KeyKind.Inference);

        asInference.IsValid.Should().BeFalse();
        asInference.Error.Should().Be(KeyFormatError.AdminKeyAsInference);
    }

    [Fact]
    public void GenerateText_ProviderOutsideCatalog_Gives40CharacterAlphanumericToken()
    {
        var text = FakeKeys.GenerateText(new ProviderId("acme-llm"));

        text.Should().HaveLength(40).And.MatchRegex("^[A-Za-z0-9]{40}$");
    }

    [Fact]
    public void Generate_Secret_HasDisplayHintNotTheValue()
    {
        using var key = FakeKeys.Generate(ProviderId.Groq);

        key.ToString().Should().NotContain(key.Reveal());
        key.Reveal().Should().StartWith("gsk_");
    }
}
