using System.Security.Cryptography;
using IronCage.Leaks.Tests.Support;
using IronCage.Providers;

namespace IronCage.Leaks.Tests.Scanning;

public sealed class LeakPatternTests
{
    private static readonly string[] KeywordProviderIds = ["cohere", "mistral", "together", "fireworks", "deepseek", "azure-openai"];

    public static TheoryData<string> PrefixProviders() => [.. LeakTestKeys.PrefixProviders.Select(p => p.Value)];

    public static TheoryData<string> KeywordProviders() => [.. KeywordProviderIds];

    [Fact]
    public void Catalog_EveryProvider_IsCoveredByTheseTests()
    {
        var covered = LeakTestKeys.PrefixProviders.Select(p => p.Value).Concat(KeywordProviderIds);
        covered.Should().BeEquivalentTo(LeakTestKeys.Catalog.All.Select(d => d.Id.Value));
        LeakTestKeys.Catalog.All.Should().HaveCount(16);
    }

    [Theory]
    [MemberData(nameof(PrefixProviders))]
    public void ScanText_PrefixAnchoredKeyInCode_FindsProviderAndLocation(string provider)
    {
        var id = new ProviderId(provider);
        var key = LeakTestKeys.Generate(id);
        var text = $"// config\nconst client = new Client({{ apiKey: \"{key}\" }});\n";

        var findings = LeakTestKeys.Scanner().ScanText(text, "src/app.ts");

        findings.Should().ContainSingle();
        var finding = findings[0];
        finding.Provider.Should().Be(id);
        finding.Location.Should().Be(new LeakLocation { Path = "src/app.ts", Line = 2, Column = text.Split('\n')[1].IndexOf(key, StringComparison.Ordinal) + 1 });
        finding.Hint.Should().Be($"{key[..3]}…{key[^4..]}");
        finding.Classification.Should().Be(LeakClassification.Unknown);
    }

    [Theory]
    [MemberData(nameof(KeywordProviders))]
    public void ScanText_KeywordAnchoredKeyNextToItsKeyword_IsFound(string provider)
    {
        var id = new ProviderId(provider);
        var key = LeakTestKeys.Generate(id);

        var sameLine = LeakTestKeys.Scanner().ScanText($"{LeakTestKeys.ContextFor(id)}={key}\n");
        var nextLine = LeakTestKeys.Scanner().ScanText($"# {LeakTestKeys.ContextFor(id)}\nkey: {key}\n");

        sameLine.Should().Contain(f => f.Provider == id && f.Location.Line == 1);
        nextLine.Should().Contain(f => f.Provider == id && f.Location.Line == 2);
    }

    [Theory]
    [MemberData(nameof(KeywordProviders))]
    public void ScanText_KeywordAnchoredShapeWithoutKeyword_IsNotAFinding(string provider)
    {
        var key = LeakTestKeys.Generate(new ProviderId(provider));

        LeakTestKeys.Scanner().ScanText($"token = \"{key}\"\n\n\nsomething else\n").Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(KeywordProviders))]
    public void ScanText_KeywordFarAway_IsNotAFinding(string provider)
    {
        var id = new ProviderId(provider);
        var key = LeakTestKeys.Generate(id);

        LeakTestKeys.Scanner().ScanText($"{LeakTestKeys.ContextFor(id)}\n\n\ntoken = \"{key}\"\n").Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(PrefixProviders))]
    public void ScanText_NearMisses_AreNotFindings(string provider)
    {
        var id = new ProviderId(provider);
        var key = LeakTestKeys.Generate(id);
        var scanner = LeakTestKeys.Scanner();

        scanner.ScanText(key[..Math.Min(key.Length - 6, 40)]).Should().BeEmpty("a truncated key is not the shape");
        scanner.ScanText("x" + key).Should().BeEmpty("a key inside a longer identifier is not a key");
        if (id != ProviderId.OpenAI && id != ProviderId.AwsBedrock && id != ProviderId.AwsBedrockShortTerm)
        {
            // OpenAI and Bedrock keys (long- and short-term) have no fixed length: a longer one is still their shape.
            scanner.ScanText(key + "Q9z").Should().BeEmpty("a fixed-length key continued by more token characters is not the shape");
        }

        scanner.ScanText(key[..4] + "!" + key[5..]).Should().BeEmpty("a character outside the alphabet breaks the shape");
    }

    [Fact]
    public void ScanText_OpenAIKeyWithoutMarker_IsNotAFinding()
    {
        var key = FakeKeysWithoutMarker();

        LeakTestKeys.Scanner().ScanText($"OPENAI_API_KEY={key}").Should().BeEmpty();
    }

    [Fact]
    public void ScanText_FalsePositiveTraps_NextToEveryKeyword_AreNotFindings()
    {
        var sha1 = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        var sha256 = Convert.ToHexStringLower(SHA256.HashData("x"u8));
        var uuid = Guid.NewGuid().ToString();
        var uuidN = Guid.NewGuid().ToString("N");
        var base64 = Convert.ToBase64String(RandomNumberGenerator.GetBytes(300));
        var text = string.Join('\n',
            "cohere mistral together fireworks deepseek https://x.openai.azure.com",
            $"commit {sha1} sha256:{sha256}",
            $"request-id: {uuid} trace {uuidN}",
            $"data:application/octet-stream;base64,{base64}",
            "!function(e,t){\"object\"==typeof exports&&\"undefined\"!=typeof module?module.exports=t():\"function\"==typeof define&&define.amd?define(t):(e=e||self).Mistral=t()}(this,function(){\"use strict\";var togetherWithTheOtherThings=function(){return fireworksDisplayAnimationControllerInstance}});",
            "The Together and Mistral docs describe keys as secret; Cohere's dashboard lists them.",
            "integrity=\"sha512-" + Convert.ToBase64String(SHA512.HashData("y"u8)) + "\"");

        LeakTestKeys.Scanner().ScanText(text).Should().BeEmpty();
    }

    [Fact]
    public void ScanText_KeyInsideBase64Blob_IsNotAFinding()
    {
        var key = LeakTestKeys.Generate(ProviderId.GoogleGemini);
        var blob = Convert.ToBase64String(RandomNumberGenerator.GetBytes(60)).TrimEnd('=') + key + "Zx" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(60));

        LeakTestKeys.Scanner().ScanText(blob).Should().BeEmpty();
    }

    [Fact]
    public void ScanText_SeveralKeysOnOneLine_FindsEachInOrder()
    {
        var groq = LeakTestKeys.Generate(ProviderId.Groq);
        var anthropic = LeakTestKeys.Generate(ProviderId.Anthropic);
        var mistral = LeakTestKeys.Generate(ProviderId.Mistral);

        var findings = LeakTestKeys.Scanner().ScanText($"{groq} {anthropic} MISTRAL_API_KEY={mistral}");

        findings.Select(f => f.Provider).Should().Equal(ProviderId.Groq, ProviderId.Anthropic, ProviderId.Mistral);
        findings.Select(f => f.Location.Column).Should().BeInAscendingOrder();
    }

    [Fact]
    public void ScanText_AnthropicAdminKey_IsAdminKind()
    {
        var key = FakeKeysAdmin(ProviderId.Anthropic);

        LeakTestKeys.Scanner().ScanText(key).Should().ContainSingle().Which.Kind.Should().Be(KeyKind.Admin);
    }

    private static string FakeKeysWithoutMarker() => "sk-proj-" + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 156);

    private static string FakeKeysAdmin(ProviderId provider) => IronCage.Testing.FakeKeys.GenerateText(provider, KeyKind.Admin);
}
