namespace IronCage.Core.Tests.Model;

public sealed class KeyReferenceTests
{
    [Fact]
    public void Parse_ProviderSlashName_SplitsIntoProviderAndName()
    {
        var reference = KeyReference.Parse("openai/prod");

        reference.Provider.Should().Be(ProviderId.OpenAI);
        reference.Name.Should().Be("prod");
        reference.ToString().Should().Be("openai/prod");
    }

    [Fact]
    public void Parse_UpperCaseProvider_NormalisesProviderButKeepsName()
    {
        var reference = KeyReference.Parse("Azure-OpenAI/EU-Batch");

        reference.Provider.Should().Be(ProviderId.AzureOpenAI);
        reference.Name.Should().Be("EU-Batch");
        reference.ToString().Should().Be("azure-openai/EU-Batch");
    }

    [Theory]
    [InlineData("openai/eu-batch")]
    [InlineData("openai/v1.2_x")]
    [InlineData("my-provider/7")]
    public void TryParse_ValidForms_Succeeds(string text)
    {
        KeyReference.TryParse(text, out var reference).Should().BeTrue();
        reference.ToString().Should().Be(text);
    }

    [Fact]
    public void TryParse_Name128Characters_SucceedsAnd129Fails()
    {
        KeyReference.TryParse("openai/" + new string('a', 128), out _).Should().BeTrue();
        KeyReference.TryParse("openai/" + new string('a', 129), out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("")]
    [InlineData("openai")]
    [InlineData("/prod")]
    [InlineData("openai/")]
    [InlineData("/")]
    [InlineData("Open AI/x")]
    [InlineData("openai/has space")]
    [InlineData("openai/a/b")]
    [InlineData("openai//prod")]
    [InlineData("-openai/prod")]
    [InlineData("open_ai/prod")]
    [InlineData("openai/prod!")]
    [InlineData("openai/pröd")]
    [InlineData(" openai/prod")]
    [InlineData("openai/prod\n")]
    public void TryParse_InvalidForms_FailsAndParseThrowsFormatException(string text)
    {
        KeyReference.TryParse(text, out var reference).Should().BeFalse();
        reference.Should().Be(default(KeyReference));

        var act = () => KeyReference.Parse(text);
        act.Should().Throw<FormatException>().WithMessage("*'provider/name'*'openai/prod'*");
    }

    [Fact]
    public void ParseAndTryParse_Null_ThrowsOrFails()
    {
        KeyReference.TryParse(null, out _).Should().BeFalse();

        var act = () => KeyReference.Parse(null!);
        act.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Constructor_EmptyProvider_Throws()
    {
        var act = () => new KeyReference(default, "prod");

        act.Should().Throw<ArgumentException>().WithParameterName("provider");
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("a/b")]
    public void Constructor_InvalidName_ThrowsSayingWhatIsAllowed(string invalidName)
    {
        var act = () => new KeyReference(ProviderId.OpenAI, invalidName);

        act.Should().Throw<ArgumentException>().WithParameterName("name").WithMessage("*letters, digits*");
    }

    [Fact]
    public void Equality_SameProviderAndName_EqualWithSameHash()
    {
        var a = KeyReference.Parse("openai/prod");
        var b = new KeyReference(new ProviderId("OPENAI"), "prod");

        (a == b).Should().BeTrue();
        (a != b).Should().BeFalse();
        a.Equals(b).Should().BeTrue();
        a.Equals((object)b).Should().BeTrue();
        a.GetHashCode().Should().Be(b.GetHashCode());
        new Dictionary<KeyReference, int> { [a] = 1 }.Should().ContainKey(b);
    }

    [Fact]
    public void Equality_DifferentNameCaseOrProvider_NotEqual()
    {
        var prod = KeyReference.Parse("openai/prod");

        (prod == KeyReference.Parse("openai/Prod")).Should().BeFalse("names are case-sensitive");
        (prod != KeyReference.Parse("anthropic/prod")).Should().BeTrue();
        prod.Equals("openai/prod").Should().BeFalse();
        prod.Equals(null).Should().BeFalse();
    }

    [Fact]
    public void Default_HasEmptyTextAndName()
    {
        var reference = default(KeyReference);

        reference.Provider.IsEmpty.Should().BeTrue();
        reference.Name.Should().BeEmpty();
        reference.ToString().Should().BeEmpty();
        reference.Should().Be(default(KeyReference));
    }
}
