using System.Security.Cryptography;
using System.Text;
using IronCage.Http.Tests.Support;
using IronCage.Providers;
using IronCage.Testing;
using IronCage.Verification;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Core.Tests.Verification;

/// <summary>
/// A 200 is not proof: a loopback origin stands for a captive portal, a proxy or a wrong base address and answers 200
/// with HTML, an empty body, malformed JSON or JSON of another shape, per provider family. None of it is a valid key,
/// and none of it is an invalid key either.
/// </summary>
public sealed class VerifyUnexpectedAnswerTests : IAsyncLifetime
{
    private const string Html = "<!DOCTYPE html><html><head><title>Sign in to the Wi-Fi</title></head><body>Accept the terms to continue.</body></html>";
    private LoopbackOrigin _origin = null!;
    private (string Body, string MediaType) _answer;

    /// <summary>Provider id, its documented 200 body (test data) and a JSON body of another shape.</summary>
    public static TheoryData<string, string, string> Families { get; } = new()
    {
        { "openai", "openai-models.json", """{"object":"list","models":[]}""" },
        { "anthropic", "anthropic-models.json", """{"data":{"id":"claude"}}""" },
        { "google-gemini", "gemini-models.json", """{"data":[]}""" },
        { "aws-bedrock", "bedrock-foundation-models.json", """{"data":[]}""" },
        { "azure-openai", "azure-models.json", """{"value":[]}""" },
        { "openrouter", "openrouter-key.json", """{"data":[]}""" },
        { "xai", "xai-api-key.json", """["not","an","object"]""" },
        { "groq", "groq-models.json", """{"status":"ok"}""" },
        { "mistral", "mistral-models.json", """{"data":"none"}""" },
        { "fireworks", "fireworks-models.json", """{}""" },
        { "together", "together-models.json", """{"models":[]}""" },
        { "cohere", "cohere-check-api-key-valid.json", """{"valid":"yes"}""" },
        { "replicate", "replicate-account.json", """{"type":"user"}""" },
        { "deepseek", "deepseek-balance.json", """{"balance_infos":[]}""" },
    };

    public async Task InitializeAsync()
    {
        _origin = await LoopbackOrigin.StartAsync();
        _origin.Respond = context =>
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = _answer.MediaType;
            return context.Response.WriteAsync(_answer.Body);
        };
    }

    public async Task DisposeAsync() => await _origin.DisposeAsync();

    [Theory]
    [MemberData(nameof(Families))]
    public async Task VerifyAsync_200WithTheDocumentedAnswer_IsValid(string provider, string documented, string otherShape)
    {
        _ = otherShape;
        _answer = (TestData.Read(documented), "application/json");

        var result = await VerifyAsync(provider);

        result.IsValid.Should().BeTrue(result.Message);
        _origin.Seen.Should().ContainSingle();
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task VerifyAsync_200WithAnHtmlPage_IsAnUnexpectedAnswer(string provider, string documented, string otherShape)
    {
        _ = (documented, otherShape);
        _answer = (Html, "text/html");

        await AssertUnexpectedAsync(provider);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task VerifyAsync_200WithAnEmptyBody_IsAnUnexpectedAnswer(string provider, string documented, string otherShape)
    {
        _ = (documented, otherShape);
        _answer = (string.Empty, "application/json");

        await AssertUnexpectedAsync(provider);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task VerifyAsync_200WithMalformedJson_IsAnUnexpectedAnswer(string provider, string documented, string otherShape)
    {
        _ = otherShape;

        // The documented answer cut short: it starts right, but never ends.
        var body = TestData.Read(documented);
        _answer = (body[..(body.Length / 2)], "application/json");

        await AssertUnexpectedAsync(provider);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public async Task VerifyAsync_200WithJsonOfAnotherShape_IsAnUnexpectedAnswer(string provider, string documented, string otherShape)
    {
        _ = documented;
        _answer = (otherShape, "application/json");

        await AssertUnexpectedAsync(provider);
    }

    [Fact]
    public void ResponseShape_DocumentedListCutOffAtTheBound_StillMatchesOnItsPrefix()
    {
        var cut = Encoding.UTF8.GetBytes("""{"object":"list","data":[{"id":"gpt-4o-mini","object":"mo""");

        ResponseShape.ObjectWithArray("data").Matches(cut, isComplete: false).Should().BeTrue();
        ResponseShape.ObjectWithArray("data").Matches(cut, isComplete: true).Should().BeFalse("a body read in full must be well-formed");
        ResponseShape.ObjectWithArray("models").Matches(cut, isComplete: false).Should().BeFalse();
    }

    [Fact]
    public void VerifyCall_EveryBuiltInVerifyCall_DeclaresItsSuccessShape()
    {
        var calls = ProviderCatalog.BuiltIn.All.SelectMany(d => new[] { d.VerifyCall, d.AdminVerifyCall }).OfType<VerifyCall>().ToList();

        calls.Should().NotBeEmpty().And.OnlyContain(c => c.SuccessShapes.Count > 0, "a built-in verify call without a shape would count any 200 as proof");
    }

    private async Task AssertUnexpectedAsync(string provider)
    {
        var result = await VerifyAsync(provider);

        result.IsValid.Should().BeFalse("a 200 that is not the provider's documented answer proves nothing");
        result.ErrorKind.Should().Be(ProviderErrorKind.UnexpectedAnswer);
        result.ErrorKind.Should().NotBe(ProviderErrorKind.InvalidKey, "nothing says the key is bad either");
        result.ErrorKind!.Value.RecommendedAction.Should().Be(KeyAction.None, "an answer from something else is no reason to disable or rotate the key");
        result.StatusCode.Should().Be(200);
        result.Message.Should().Contain("base address");
        _origin.Seen.Should().ContainSingle("the verify call reached the loopback origin");
    }

    private async Task<KeyVerificationResult> VerifyAsync(string provider)
    {
        var id = ProviderId.Parse(provider);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddIronCage(o => o.ProviderBaseAddresses[id] = _origin.BaseAddress)
            .ProtectKeysWithMasterKey(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        await using var provided = services.BuildServiceProvider();
        using var key = FakeKeys.Generate(id);
        var options = id == ProviderId.AzureOpenAI
            ? new KeyVerificationOptions { Parameters = new Dictionary<string, string> { ["endpoint"] = "https://my-resource.openai.azure.com" } }
            : null;
        return await provided.GetRequiredService<IKeyVerifier>().VerifyAsync(id, key, options);
    }
}
