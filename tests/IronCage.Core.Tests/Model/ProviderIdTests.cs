namespace IronCage.Core.Tests.Model;

public sealed class ProviderIdTests
{
    [Theory]
    [InlineData("OpenAI", "openai")]
    [InlineData("openai", "openai")]
    [InlineData("Azure-OpenAI", "azure-openai")]
    [InlineData("GROQ", "groq")]
    [InlineData("x1", "x1")]
    public void Constructor_MixedCase_NormalisesToLowerCase(string text, string expected)
    {
        var id = new ProviderId(text);

        id.Value.Should().Be(expected);
        id.ToString().Should().Be(expected);
        id.IsEmpty.Should().BeFalse();
    }

    [Fact]
    public void Constructor_WellKnownSpelledDifferently_EqualsWellKnownValue()
    {
        new ProviderId("OpenAI").Should().Be(ProviderId.OpenAI);
        ProviderId.Parse("AWS-Bedrock").Should().Be(ProviderId.AwsBedrock);
        (new ProviderId("Google-Gemini") == ProviderId.GoogleGemini).Should().BeTrue();
    }

    [Theory]
    [InlineData("")]
    [InlineData("open ai")]
    [InlineData("open_ai")]
    [InlineData("open.ai")]
    [InlineData("open/ai")]
    [InlineData("-openai")]
    [InlineData("openai-")]
    [InlineData("-")]
    [InlineData("ópenai")]
    [InlineData("openai\n")]
    public void Constructor_InvalidText_ThrowsSayingWhatIsAllowed(string text)
    {
        var act = () => new ProviderId(text);

        act.Should().Throw<ArgumentException>().WithParameterName("value").WithMessage("*lower-case letters, digits and dashes*");
        ProviderId.TryParse(text, out var id).Should().BeFalse();
        id.IsEmpty.Should().BeTrue();
    }

    [Fact]
    public void Constructor_LengthLimit_64AllowedAnd65Refused()
    {
        new ProviderId(new string('a', 64)).Value.Should().HaveLength(64);

        var act = () => new ProviderId(new string('a', 65));
        act.Should().Throw<ArgumentException>().WithMessage("*64*");
    }

    [Fact]
    public void Constructor_Null_Throws()
    {
        var act = () => new ProviderId(null!);

        act.Should().Throw<ArgumentNullException>();
        ProviderId.TryParse(null, out _).Should().BeFalse();
    }

    [Fact]
    public void TryParse_Valid_NormalisesLikeConstructor()
    {
        ProviderId.TryParse("DeepSeek", out var id).Should().BeTrue();

        id.Should().Be(ProviderId.DeepSeek);
        id.Value.Should().Be("deepseek");
    }

    [Fact]
    public void Default_IsEmptyAndEqualOnlyToDefault()
    {
        var id = default(ProviderId);

        id.IsEmpty.Should().BeTrue();
        id.Value.Should().BeEmpty();
        id.ToString().Should().BeEmpty();
        id.Should().Be(default(ProviderId));
        id.GetHashCode().Should().Be(default(ProviderId).GetHashCode());
        (id == ProviderId.OpenAI).Should().BeFalse();
    }

    [Fact]
    public void Equality_SameNormalisedValue_EqualWithSameHash()
    {
        var a = new ProviderId("MISTRAL");
        var b = ProviderId.Mistral;

        (a == b).Should().BeTrue();
        (a != b).Should().BeFalse();
        a.Equals((object)b).Should().BeTrue();
        a.GetHashCode().Should().Be(b.GetHashCode());
        new HashSet<ProviderId> { a, b }.Should().ContainSingle();
    }

    [Fact]
    public void Equality_DifferentValueOrType_NotEqual()
    {
        (ProviderId.OpenAI == ProviderId.AzureOpenAI).Should().BeFalse();
        ProviderId.OpenAI.Equals("openai").Should().BeFalse();
        ProviderId.OpenAI.Equals(null).Should().BeFalse();
    }

    [Fact]
    public void WellKnownValues_AreDistinctAndValid()
    {
        ProviderId[] all =
        [
            ProviderId.OpenAI, ProviderId.Anthropic, ProviderId.AwsBedrock, ProviderId.AzureOpenAI, ProviderId.GoogleGemini,
            ProviderId.OpenRouter, ProviderId.XAI, ProviderId.Fireworks, ProviderId.Mistral, ProviderId.Perplexity,
            ProviderId.Groq, ProviderId.Together, ProviderId.Cohere, ProviderId.Replicate, ProviderId.DeepSeek,
        ];

        all.Should().OnlyHaveUniqueItems();
        all.Should().OnlyContain(id => !id.IsEmpty && new ProviderId(id.Value) == id);
    }

    [Fact]
    public void Formatting_Interpolation_WritesValue()
    {
        $"{ProviderId.AzureOpenAI}/prod".Should().Be("azure-openai/prod");
        ProviderId.Groq.ToString("G", null).Should().Be("groq");
    }

    [Fact]
    public void TryFormat_DestinationTooSmall_FailsAndLargeEnoughSucceeds()
    {
        Span<char> small = stackalloc char[3];
        ProviderId.AzureOpenAI.TryFormat(small, out var none, default, null).Should().BeFalse();
        none.Should().Be(0);

        Span<char> large = stackalloc char[32];
        ProviderId.AzureOpenAI.TryFormat(large, out var written, default, null).Should().BeTrue();
        large[..written].ToString().Should().Be("azure-openai");
    }
}
