using IronCage.Providers;
using IronCage.Testing;

namespace IronCage.Core.Tests.Secrets;

public sealed class KeyFormatValidatorTests
{
    private static readonly KeyFormatValidator Validator = KeyFormatValidator.BuiltIn;

    private static string Repeat(string alphabet, int length) => string.Concat(Enumerable.Range(0, length).Select(i => alphabet[(i * 7 + 3) % alphabet.Length]));

    private const string UrlSafe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string Hex = "0123456789abcdef";

    public static TheoryData<string, string> RealShapedKeys => new()
    {
        { "openai", "sk-proj-" + Repeat(UrlSafe, 74) + "T3BlbkFJ" + Repeat(UrlSafe, 74) },
        { "openai", "sk-svcacct-" + Repeat(UrlSafe, 58) + "T3BlbkFJ" + Repeat(UrlSafe, 58) },
        { "openai", "sk-" + Repeat(Alnum, 20) + "T3BlbkFJ" + Repeat(Alnum, 20) },
        { "anthropic", "sk-ant-api03-" + Repeat(UrlSafe, 93) + "AA" },
        { "google-gemini", "AIza" + Repeat(UrlSafe, 35) },
        { "groq", "gsk_" + Repeat(Alnum, 52) },
        { "xai", "xai-" + Repeat(Alnum + "_", 80) },
        { "openrouter", "sk-or-v1-" + Repeat(Hex, 64) },
        { "perplexity", "pplx-" + Repeat(Alnum, 48) },
        { "deepseek", "sk-" + Repeat("abcdefghijklmnopqrstuvwxyz0123456789", 32) },
        { "azure-openai", Repeat(Hex, 32) },
        { "azure-openai", Repeat(Alnum, 84) },
        { "replicate", "r8_" + Repeat(Alnum, 37) },
        { "cohere", Repeat(Alnum, 40) },
        { "mistral", Repeat(Alnum, 32) },
        { "together", Repeat(Alnum, 64) },
        { "fireworks", Repeat(Alnum, 48) },
        { "aws-bedrock", "ABSKQmVkcm9ja0FQSUtleS1" + Repeat(Alnum, 100) },
    };

    // Near misses: one character too few or too many, a wrong character, a wrong marker, the wrong case.
    public static TheoryData<string, string> NearMisses => new()
    {
        { "openai", "sk-proj-" + Repeat(UrlSafe, 74) + "T3BlbkFK" + Repeat(UrlSafe, 74) },
        { "openai", "sk-proj-" + Repeat(UrlSafe, 150) },
        { "openai", "sk-" + Repeat(Alnum, 19) + "T3BlbkFJ" + Repeat(Alnum, 20) },
        { "anthropic", "sk-ant-api03-" + Repeat(UrlSafe, 92) + "AA" },
        { "anthropic", "sk-ant-api03-" + Repeat(UrlSafe, 93) + "AB" },
        { "anthropic", "sk-ant-api02-" + Repeat(UrlSafe, 93) + "AA" },
        { "google-gemini", "AIza" + Repeat(UrlSafe, 34) },
        { "google-gemini", "AIzb" + Repeat(UrlSafe, 35) },
        { "groq", "gsk_" + Repeat(Alnum, 51) },
        { "groq", "gsk-" + Repeat(Alnum, 52) },
        { "xai", "xai-" + Repeat(Alnum, 79) },
        { "openrouter", "sk-or-v1-" + Repeat(Hex, 63) },
        { "openrouter", "sk-or-v1-" + Repeat("0123456789ABCDEF", 64) },
        { "perplexity", "pplx-" + Repeat(Alnum, 47) },
        { "deepseek", "sk-" + Repeat(Alnum, 32) },
        { "azure-openai", Repeat(Hex, 31) },
        { "replicate", "r8_" + Repeat(Alnum, 36) },
    };

    [Theory]
    [MemberData(nameof(RealShapedKeys))]
    public void Check_RealShapedKey_Passes(string provider, string value)
    {
        using var key = SecretValue.FromString(value);
        var result = Validator.Check(new ProviderId(provider), key);
        result.IsValid.Should().BeTrue(result.Message);
    }

    [Theory]
    [MemberData(nameof(NearMisses))]
    public void Check_NearMiss_IsWrongFormatAndNeverEchoesTheValue(string provider, string value)
    {
        using var key = SecretValue.FromString(value);
        var result = Validator.Check(new ProviderId(provider), key);

        result.IsValid.Should().BeFalse();
        result.Error.Should().Be(KeyFormatError.WrongFormat);
        result.Message.Should().Contain(ProviderCatalog.BuiltIn.GetDescriptor(new ProviderId(provider)).DisplayName);
        result.Message.Should().Contain("Expected");
        AssertNoChunkOf(value, result.Message);
    }

    [Fact]
    public void Check_GeneratedKeysOfEveryProvider_Pass()
    {
        foreach (var descriptor in ProviderCatalog.BuiltIn.All)
        {
            using var key = FakeKeys.Generate(descriptor.Id);
            Validator.Check(descriptor.Id, key).IsValid.Should().BeTrue(descriptor.Id.Value);
        }
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    public void Check_AdminKeyGivenAsInferenceKey_IsRefusedWithAdvice(string provider)
    {
        using var admin = FakeKeys.Generate(new ProviderId(provider), KeyKind.Admin);
        var result = Validator.Check(new ProviderId(provider), admin, KeyKind.Inference);

        result.Error.Should().Be(KeyFormatError.AdminKeyAsInference);
        result.Message.Should().Contain("admin key").And.Contain("never be used for inference");
        AssertNoChunkOf(admin.Reveal(), result.Message);

        Validator.Check(new ProviderId(provider), admin, KeyKind.Admin).IsValid.Should().BeTrue();
    }

    [Fact]
    public void Check_InferenceKeyGivenAsAdminKey_IsRefused()
    {
        using var key = FakeKeys.Generate(ProviderId.OpenAI);
        Validator.Check(ProviderId.OpenAI, key, KeyKind.Admin).Error.Should().Be(KeyFormatError.InferenceKeyAsAdmin);
    }

    [Fact]
    public void Check_OpenRouterManagementKeysLookLikeInferenceKeys_BothKindsPass()
    {
        using var key = FakeKeys.Generate(ProviderId.OpenRouter);
        Validator.Check(ProviderId.OpenRouter, key, KeyKind.Inference).IsValid.Should().BeTrue();
        Validator.Check(ProviderId.OpenRouter, key, KeyKind.Admin).IsValid.Should().BeTrue();
    }

    [Theory]
    [InlineData("openai", "anthropic")]
    [InlineData("anthropic", "openai")]
    [InlineData("groq", "openrouter")]
    [InlineData("openai", "google-gemini")]
    [InlineData("mistral", "xai")]
    public void Check_AnotherProvidersKey_NamesThatProvider(string expected, string actual)
    {
        using var key = FakeKeys.Generate(new ProviderId(actual));
        var result = Validator.Check(new ProviderId(expected), key);

        result.Error.Should().Be(KeyFormatError.OtherProvidersKey);
        result.LooksLike.Should().Be(new ProviderId(actual));
        result.Message.Should().Contain(ProviderCatalog.BuiltIn.GetDescriptor(new ProviderId(actual)).DisplayName);
        AssertNoChunkOf(key.Reveal(), result.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Check_Empty_IsEmpty(string value)
    {
        using var key = SecretValue.FromString(value);
        var result = Validator.Check(ProviderId.OpenAI, key);
        result.Error.Should().Be(KeyFormatError.Empty);
        result.Message.Should().Contain("OPENAI_API_KEY");
    }

    [Fact]
    public void Check_TrailingNewline_IsWhitespace()
    {
        using var key = SecretValue.FromString(FakeKeys.GenerateText(ProviderId.Anthropic) + "\n");
        Validator.Check(ProviderId.Anthropic, key).Error.Should().Be(KeyFormatError.Whitespace);
    }

    [Theory]
    [InlineData("openai", "your-api-key")]
    [InlineData("openai", "YOUR_API_KEY_HERE")]
    [InlineData("openai", "<OPENAI_API_KEY>")]
    [InlineData("openai", "${OPENAI_API_KEY}")]
    [InlineData("openai", "{{ secrets.OPENAI_API_KEY }}")]
    [InlineData("openai", "sk-...")]
    [InlineData("openai", "sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    [InlineData("anthropic", "sk-ant-api03-XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXAA")]
    [InlineData("cohere", "changeme")]
    [InlineData("groq", "null")]
    [InlineData("azure-openai", "00000000000000000000000000000000")]
    [InlineData("replicate", "r8_…")]
    public void Check_Placeholder_IsPlaceholder(string provider, string value)
    {
        using var key = SecretValue.FromString(value);
        var result = Validator.Check(new ProviderId(provider), key);
        result.Error.Should().Be(KeyFormatError.Placeholder);
        result.Message.Should().Contain("placeholder").And.Contain(ProviderCatalog.BuiltIn.GetDescriptor(new ProviderId(provider)).ConsoleUrl.ToString());
    }

    [Fact]
    public void Check_ProviderWithoutDocumentedFormat_AcceptsLongPrintableValuesOnly()
    {
        using var shortKey = SecretValue.FromString("abc123");
        Validator.Check(ProviderId.AwsBedrock, shortKey).Error.Should().Be(KeyFormatError.WrongFormat);
    }

    [Fact]
    public void Validate_Invalid_ThrowsKeyFormatExceptionCarryingTheFacts()
    {
        using var key = FakeKeys.Generate(ProviderId.Anthropic);
        var act = () => Validator.Validate(ProviderId.OpenAI, key);

        var exception = act.Should().Throw<KeyFormatException>().Which;
        exception.Provider.Should().Be(ProviderId.OpenAI);
        exception.Error.Should().Be(KeyFormatError.OtherProvidersKey);
        exception.LooksLike.Should().Be(ProviderId.Anthropic);
        exception.ExpectedShape.Should().Contain("sk-proj-");
        exception.Should().BeAssignableTo<IronCageException>();
        AssertNoChunkOf(key.Reveal(), exception.ToString());
    }

    [Fact]
    public void Check_UnknownProvider_Throws()
    {
        using var key = SecretValue.FromString("whatever-value-1234567890");
        Validator.Invoking(v => v.Check(new ProviderId("nope"), key)).Should().Throw<UnknownProviderException>();
    }

    [Fact]
    public void KeyFormat_RequiresContextForPrefixlessFormats()
    {
        var cohere = ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.Cohere).KeyFormats.Single();
        cohere.RequiresContext.Should().BeTrue();
        cohere.ContextKeywords.Should().Contain("cohere");
        ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.Groq).KeyFormats.Single().RequiresContext.Should().BeFalse();
    }

    [Theory]
    [InlineData("anthropic", "sk-ant-api03-", "dummy", 93, "AA")]
    [InlineData("anthropic", "sk-ant-api03-", "example", 93, "AA")]
    [InlineData("google-gemini", "AIza", "SyExample", 35, "")]
    [InlineData("openai", "sk-proj-", "placeholder", 74, "")]
    public void Check_RealShapedKeyContainingAPlaceholderWord_Passes(string provider, string prefix, string word, int length, string suffix)
    {
        // Random key bodies contain words like "dummy" or "example" by chance; a key of the right shape is never refused for that.
        var body = word + Repeat(UrlSafe, length - word.Length);
        var value = provider == "openai" ? prefix + body + "T3BlbkFJ" + Repeat(UrlSafe, 74) : prefix + body + suffix;
        using var key = SecretValue.FromString(value);
        var result = Validator.Check(new ProviderId(provider), key);
        result.IsValid.Should().BeTrue(result.Message);
    }

    [Fact]
    public void Check_WrongShapeWithAPlaceholderWord_IsPlaceholder()
    {
        using var key = SecretValue.FromString("sk-proj-example-key-for-the-docs");
        Validator.Check(ProviderId.OpenAI, key).Error.Should().Be(KeyFormatError.Placeholder);
    }

    [Theory]
    [InlineData("together", "tgp_v1_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdEFG")]
    [InlineData("fireworks", "fw_3ZkLmNoPqRsTuVwXyZ0123456789AbCd")]
    [InlineData("cohere", "Xq7Lm2Pz9Rt4Wk8Bn3Yc6Hv1Jd5Fs0Ga")]
    public void Check_ProvidersWithoutADocumentedShape_AcceptOtherPlausibleValuesWithANote(string provider, string value)
    {
        using var key = SecretValue.FromString(value);
        var result = Validator.Check(new ProviderId(provider), key);
        result.IsValid.Should().BeTrue(result.Message);
    }

    [Fact]
    public void Check_ProvidersWithoutADocumentedShape_StillRefuseImplausibleValues()
    {
        using var tooShort = SecretValue.FromString("abc123def456");
        using var nonAscii = SecretValue.FromString("clé-" + Repeat(Alnum, 30));
        Validator.Check(ProviderId.Together, tooShort).Error.Should().Be(KeyFormatError.WrongFormat);
        Validator.Check(ProviderId.Mistral, nonAscii).Error.Should().Be(KeyFormatError.WrongFormat);
    }

    [Fact]
    public void Check_OpenAIUserKeysWithTheNonePrefix_Pass()
    {
        using var key = SecretValue.FromString("sk-None-" + Repeat(UrlSafe, 58) + "T3BlbkFJ" + Repeat(UrlSafe, 58));
        Validator.Check(ProviderId.OpenAI, key).IsValid.Should().BeTrue();
    }

    internal static void AssertNoChunkOf(string secret, string text)
    {
        // No 12-character window of the secret's random part may appear (public prefixes such as "sk-ant-api03-" may).
        for (var i = Math.Min(16, secret.Length / 2); i + 12 <= secret.Length; i++)
        {
            text.Should().NotContain(secret.Substring(i, 12));
        }
    }
}
