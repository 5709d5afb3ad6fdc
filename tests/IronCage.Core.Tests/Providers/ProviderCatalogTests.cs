using IronCage;
using IronCage.Providers;
using C = IronCage.Providers.ProviderCapabilities;

namespace IronCage.Core.Tests.Providers;

/// <summary>
/// Every built-in descriptor checked against PROVIDERS.md: the §16 capability matrix (YES → Full, PARTIAL → Limited,
/// NO/UNCONFIRMED → None), the verify calls of each provider section, and the environment variable names.
/// </summary>
public sealed class ProviderCatalogTests
{
    // Columns of §16: create, list, get, rotate/regenerate, deactivate, delete, expiry, verify-call. Y = YES, P = PARTIAL, N = NO.
    // Undelete (Google's 30-day soft delete, §4) and ReportsUsage (OpenRouter's usage fields, §6) come from the provider sections.
    public static TheoryData<string, string, C, C> Matrix => new()
    {
        { "openai", "P Y Y N N Y P Y", C.None, C.None },
        { "anthropic", "N Y Y N Y N P Y", C.None, C.None },
        { "azure-openai", "N Y P Y N N N Y", C.None, C.None },
        { "google-gemini", "Y Y Y N N Y N Y", C.Undelete, C.None },
        { "aws-bedrock", "Y Y P Y Y Y Y P", C.None, C.None },

        // Not in §16: short-term keys are pre-signed SigV4 tokens IronCage generates (§5's last line); nothing creates or revokes them at AWS.
        { "aws-bedrock-short-term", "N N N N N N Y P", C.None, C.None },
        { "openrouter", "Y Y Y N Y Y Y Y", C.ReportsUsage, C.None },
        { "xai", "Y Y P N N Y N Y", C.None, C.None },
        { "fireworks", "Y Y N N N Y Y P", C.None, C.None },
        { "mistral", "Y Y N N N N Y Y", C.None, C.None },
        { "groq", "N N N N N N N Y", C.None, C.None },
        { "together", "N N N N N N N Y", C.None, C.None },
        { "cohere", "N N N N N N N Y", C.None, C.None },
        { "replicate", "N N N N N N N Y", C.None, C.None },
        { "deepseek", "N N N N N N N Y", C.None, C.None },
        { "perplexity", "Y N N N N P N P", C.None, C.None },
    };

    private static readonly C[] Columns = [C.Create, C.List, C.Read, C.Regenerate, C.Deactivate, C.Delete, C.Expiry, C.Verify];

    [Fact]
    public void BuiltIn_HoldsEveryProviderOfTheReference()
    {
        ProviderCatalog.BuiltIn.All.Select(d => d.Id.Value).Should().BeEquivalentTo(
            "openai", "anthropic", "aws-bedrock", "aws-bedrock-short-term", "azure-openai", "google-gemini", "openrouter", "xai", "fireworks",
            "mistral", "perplexity", "groq", "together", "cohere", "replicate", "deepseek");
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Capabilities_MatchTheCapabilityMatrix(string id, string row, C extraFull, C extraLimited)
    {
        var descriptor = ProviderCatalog.BuiltIn.GetDescriptor(new ProviderId(id));
        var cells = row.Split(' ');
        cells.Should().HaveCount(Columns.Length);
        for (var i = 0; i < Columns.Length; i++)
        {
            var expected = cells[i] switch
            {
                "Y" => CapabilitySupport.Full,
                "P" => CapabilitySupport.Limited,
                _ => CapabilitySupport.None,
            };
            descriptor.GetSupport(Columns[i]).Should().Be(expected, $"{id} {Columns[i]} is '{cells[i]}' in the matrix");
        }

        foreach (var flag in new[] { C.Undelete, C.ReportsUsage })
        {
            var expected = extraFull.HasFlag(flag) ? CapabilitySupport.Full : extraLimited.HasFlag(flag) ? CapabilitySupport.Limited : CapabilitySupport.None;
            descriptor.GetSupport(flag).Should().Be(expected, $"{id} {flag}");
        }
    }

    [Theory]
    [InlineData("openai", RotationTier.Automatic)]
    [InlineData("openrouter", RotationTier.Automatic)]
    [InlineData("aws-bedrock", RotationTier.Automatic)]
    [InlineData("aws-bedrock-short-term", RotationTier.Generated)]
    [InlineData("xai", RotationTier.Automatic)]
    [InlineData("fireworks", RotationTier.Automatic)]
    [InlineData("perplexity", RotationTier.Manual)]
    [InlineData("google-gemini", RotationTier.CreateThenDelete)]
    [InlineData("azure-openai", RotationTier.SlotAlternating)]
    [InlineData("anthropic", RotationTier.SemiAutomatic)]
    [InlineData("mistral", RotationTier.Manual)]
    [InlineData("groq", RotationTier.Manual)]
    [InlineData("together", RotationTier.Manual)]
    [InlineData("cohere", RotationTier.Manual)]
    [InlineData("replicate", RotationTier.Manual)]
    [InlineData("deepseek", RotationTier.Manual)]
    public void Tier_FollowsFromCapabilities(string id, RotationTier tier)
    {
        ProviderCatalog.BuiltIn.GetDescriptor(new ProviderId(id)).Tier.Should().Be(tier);
    }

    [Theory]
    [InlineData("openai", "GET", "https://api.openai.com/v1/models")]
    [InlineData("anthropic", "GET", "https://api.anthropic.com/v1/models")]
    [InlineData("azure-openai", "GET", "https://my-resource.openai.azure.com/openai/v1/models")]
    [InlineData("google-gemini", "GET", "https://generativelanguage.googleapis.com/v1beta/models?pageSize=1")]
    [InlineData("aws-bedrock", "GET", "https://bedrock.us-east-1.amazonaws.com/foundation-models")]
    [InlineData("openrouter", "GET", "https://openrouter.ai/api/v1/key")]
    [InlineData("xai", "GET", "https://api.x.ai/v1/api-key")]
    [InlineData("fireworks", "GET", "https://api.fireworks.ai/inference/v1/models")]
    [InlineData("mistral", "GET", "https://api.mistral.ai/v1/models")]
    [InlineData("groq", "GET", "https://api.groq.com/openai/v1/models")]
    [InlineData("together", "GET", "https://api.together.xyz/v1/models")]
    [InlineData("cohere", "POST", "https://api.cohere.com/v1/check-api-key")]
    [InlineData("replicate", "GET", "https://api.replicate.com/v1/account")]
    [InlineData("deepseek", "GET", "https://api.deepseek.com/user/balance")]
    public void VerifyCall_IsTheDocumentedCall(string id, string method, string url)
    {
        var call = ProviderCatalog.BuiltIn.GetDescriptor(new ProviderId(id)).VerifyCall;
        call.Should().NotBeNull();
        call!.Method.Method.Should().Be(method);
        call.ResolveUri(new Dictionary<string, string> { ["endpoint"] = "https://my-resource.openai.azure.com" }).ToString().Should().Be(url);
    }

    [Fact]
    public void VerifyCall_PerplexityHasNoFreeCall()
    {
        var perplexity = ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.Perplexity);
        perplexity.VerifyCall.Should().BeNull();
        perplexity.GetSupport(C.Verify).Should().Be(CapabilitySupport.Limited);
        perplexity.CapabilityNotes[C.Verify].Should().Contain("does not spend tokens");
    }

    [Theory]
    [InlineData("openai", AuthSchemeKind.Bearer, "Authorization")]
    [InlineData("anthropic", AuthSchemeKind.Header, "x-api-key")]
    [InlineData("azure-openai", AuthSchemeKind.Header, "api-key")]
    [InlineData("google-gemini", AuthSchemeKind.Header, "x-goog-api-key")]
    [InlineData("openrouter", AuthSchemeKind.Bearer, "Authorization")]
    [InlineData("cohere", AuthSchemeKind.Bearer, "Authorization")]
    public void Auth_IsTheProvidersScheme(string id, AuthSchemeKind kind, string name)
    {
        var auth = ProviderCatalog.BuiltIn.GetDescriptor(new ProviderId(id)).Auth;
        auth.Kind.Should().Be(kind);
        auth.Name.Should().Be(name);
    }

    [Fact]
    public void Auth_AnthropicSendsTheApiVersionAndGeminiAcceptsTheKeyParameter()
    {
        ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.Anthropic).Auth.AdditionalHeaders.Should().Contain("anthropic-version", "2023-06-01");
        ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.GoogleGemini).Auth.AlternativeQueryParameter.Should().Be("key");
    }

    [Theory]
    [InlineData("openai", "OPENAI_API_KEY")]
    [InlineData("anthropic", "ANTHROPIC_API_KEY,CLAUDE_API_KEY")]
    [InlineData("aws-bedrock", "AWS_BEARER_TOKEN_BEDROCK")]
    [InlineData("azure-openai", "AZURE_OPENAI_API_KEY,AZURE_OPENAI_KEY")]
    [InlineData("google-gemini", "GEMINI_API_KEY,GOOGLE_API_KEY")]
    [InlineData("openrouter", "OPENROUTER_API_KEY")]
    [InlineData("xai", "XAI_API_KEY")]
    [InlineData("fireworks", "FIREWORKS_API_KEY")]
    [InlineData("mistral", "MISTRAL_API_KEY")]
    [InlineData("perplexity", "PERPLEXITY_API_KEY,PPLX_API_KEY")]
    [InlineData("groq", "GROQ_API_KEY")]
    [InlineData("together", "TOGETHER_API_KEY,TOGETHERAI_API_KEY")]
    [InlineData("cohere", "COHERE_API_KEY,CO_API_KEY")]
    [InlineData("replicate", "REPLICATE_API_TOKEN,REPLICATE_API_KEY")]
    [InlineData("deepseek", "DEEPSEEK_API_KEY")]
    public void EnvironmentVariables_PrimaryNameFirstThenAliases(string id, string names)
    {
        ProviderCatalog.BuiltIn.GetDescriptor(new ProviderId(id)).EnvironmentVariables.Should().Equal(names.Split(','));
    }

    [Fact]
    public void AdminEnvironmentVariables_NameTheAdminKeys()
    {
        ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.OpenAI).AdminEnvironmentVariables.Should().Contain("OPENAI_ADMIN_KEY");
        ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.Anthropic).AdminEnvironmentVariables.Should().Contain("ANTHROPIC_ADMIN_KEY");
        ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.OpenRouter).AdminEnvironmentVariables.Should().Contain("OPENROUTER_MANAGEMENT_KEY");
    }

    [Fact]
    public void Descriptors_HaveAbsoluteHttpsConsoleUrlsAndAreConsistent()
    {
        foreach (var descriptor in ProviderCatalog.BuiltIn.All)
        {
            descriptor.ConsoleUrl.Scheme.Should().Be("https", descriptor.Id.Value);
            descriptor.Invoking(d => d.Validate()).Should().NotThrow();
            foreach (var flag in Enum.GetValues<C>().Where(f => f != C.None && descriptor.GetSupport(f) == CapabilitySupport.Limited))
            {
                descriptor.CapabilityNotes.Should().ContainKey(flag, $"{descriptor.Id} says how {flag} is limited");
            }
        }
    }

    [Fact]
    public void Limits_AwsAndAzureAllowTwoKeysAndGoogleUndeletesFor30Days()
    {
        ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.AwsBedrock).MaxKeysPerPrincipal.Should().Be(2);
        ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.AzureOpenAI).KeySlots.Should().Equal("Key1", "Key2");
        ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.GoogleGemini).UndeleteWindow.Should().Be(NodaTime.Duration.FromDays(30));
    }

    [Fact]
    public void CreateSetsKeyName_OnlyAwsBedrockCredentialsCarryNoName()
    {
        // Bedrock's IAM credentials have no name: a lost create's orphan is found by creation time, not by name.
        ProviderCatalog.BuiltIn.All.Where(d => !d.CreateSetsKeyName).Select(d => d.Id).Should().Equal(ProviderId.AwsBedrock);
        new ProviderDescriptor(new ProviderId("acme"), "Acme") { ConsoleUrl = new Uri("https://acme.test") }.CreateSetsKeyName.Should().BeTrue();
    }

    [Fact]
    public void GetDescriptor_UnknownProvider_ThrowsTypedErrorThatSaysHowToRegister()
    {
        var act = () => ProviderCatalog.BuiltIn.GetDescriptor(new ProviderId("acme-llm"));
        act.Should().Throw<UnknownProviderException>().WithMessage("*acme-llm*AddProvider*");
        ProviderCatalog.BuiltIn.TryGetDescriptor(new ProviderId("acme-llm"), out _).Should().BeFalse();
    }

    [Fact]
    public void With_AddsAndReplacesDescriptors()
    {
        var custom = new ProviderDescriptor(new ProviderId("acme-llm"), "Acme") { ConsoleUrl = new Uri("https://acme.example/keys") };
        var replacedGroq = new ProviderDescriptor(ProviderId.Groq, "Groq (custom)") { ConsoleUrl = new Uri("https://groq.example/keys") };

        var catalog = ProviderCatalog.BuiltIn.With([custom, replacedGroq]);

        catalog.GetDescriptor(custom.Id).Should().BeSameAs(custom);
        catalog.GetDescriptor(ProviderId.Groq).DisplayName.Should().Be("Groq (custom)");
        catalog.All.Should().HaveCount(ProviderCatalog.BuiltIn.All.Count + 1);
        catalog.All.Select(d => d.Id.Value).Should().BeInAscendingOrder(StringComparer.Ordinal);
    }

    [Fact]
    public void Validate_RejectsInconsistentDescriptors()
    {
        var limitedNotOffered = new ProviderDescriptor(new ProviderId("x1"), "X") { ConsoleUrl = new Uri("https://x.example"), Capabilities = C.List, LimitedCapabilities = C.Create };
        var verifyWithoutFlag = new ProviderDescriptor(new ProviderId("x2"), "X") { ConsoleUrl = new Uri("https://x.example"), VerifyCall = new VerifyCall(HttpMethod.Get, "https://x.example/me") };
        var fullVerifyWithoutCall = new ProviderDescriptor(new ProviderId("x3"), "X") { ConsoleUrl = new Uri("https://x.example"), Capabilities = C.Verify };

        foreach (var descriptor in new[] { limitedNotOffered, verifyWithoutFlag, fullVerifyWithoutCall })
        {
            descriptor.Invoking(d => d.Validate()).Should().Throw<ArgumentException>();
        }
    }

    [Theory]
    [InlineData(C.Regenerate | C.List, RotationTier.SlotAlternating)]
    [InlineData(C.Create | C.Delete | C.Undelete, RotationTier.CreateThenDelete)]
    [InlineData(C.Create | C.Deactivate, RotationTier.Automatic)]
    [InlineData(C.Create | C.Regenerate | C.Delete, RotationTier.Automatic)]
    [InlineData(C.Deactivate | C.List, RotationTier.SemiAutomatic)]
    [InlineData(C.Create | C.Expiry, RotationTier.Manual)]
    [InlineData(C.Verify, RotationTier.Manual)]
    [InlineData(C.None, RotationTier.Manual)]
    [InlineData(C.Generate | C.Expiry | C.Verify, RotationTier.Generated)]
    [InlineData(C.Generate | C.Create | C.Delete, RotationTier.Generated)]
    public void TierFor_IsAPureFunctionOfCapabilities(C capabilities, RotationTier tier)
    {
        ProviderDescriptor.TierFor(capabilities).Should().Be(tier);
    }

    [Fact]
    public void ResolveUri_BaseAddressReplacesHostAndKeepsPath()
    {
        var call = ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.OpenAI).VerifyCall!;
        call.ResolveUri(baseAddress: new Uri("http://127.0.0.1:5099/")).ToString().Should().Be("http://127.0.0.1:5099/v1/models");
        call.ResolveUri(baseAddress: new Uri("http://127.0.0.1:5099/emulator/openai/")).ToString().Should().Be("http://127.0.0.1:5099/emulator/openai/v1/models");
    }

    [Fact]
    public void ResolveUri_MissingPlaceholder_NamesIt()
    {
        var call = ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.AzureOpenAI).VerifyCall!;
        call.Invoking(c => c.ResolveUri()).Should().Throw<IronCageException>().WithMessage("*'endpoint'*scope*");
        call.Placeholders.Should().Equal("endpoint");
    }

    [Fact]
    public void ResolveUri_BedrockRegionFromScopeWinsOverDefault()
    {
        var call = ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.AwsBedrock).VerifyCall!;
        call.ResolveUri(new Dictionary<string, string> { ["region"] = "eu-central-1" }).Host.Should().Be("bedrock.eu-central-1.amazonaws.com");
    }
}
