using System.Net;
using IronCage.Providers.Perplexity;
using IronCage.Providers.Tests;
using IronCage.Testing;
using RichardSzalay.MockHttp;

namespace IronCage.Providers.Perplexity.Tests;

/// <summary>Perplexity's two key calls as PROVIDERS.md §15 gives them, and their error answers classified without the key.</summary>
public sealed class PerplexityWireTests : IDisposable
{
    private const string Api = "https://api.perplexity.ai/";
    private readonly string _managementKey = FakeKeys.GenerateText(ProviderId.Perplexity);
    private readonly MockHttpMessageHandler _mock = new();
    private readonly ProviderHost _host;

    public PerplexityWireTests()
    {
        _host = new ProviderHost(b => b.AddPerplexity("perplexity", o => { o.ManagementKey = _managementKey; o.MaxRetries = 1; o.RetryDelay = TimeSpan.FromMilliseconds(1); }), PerplexityConstants.HttpClientName, _mock);
    }

    private static ProviderKeyContext Context => new() { Key = new KeyReference(ProviderId.Perplexity, "prod") };

    private ISecretRevokingProviderAdapter Revoker => (ISecretRevokingProviderAdapter)_host.Adapter;

    public static TheoryData<int, string> Errors => new()
    {
        { 400, "BadRequest" },
        { 401, "InvalidKey" },
        { 429, "RateLimited" },
        { 500, "Transient" },
    };

    [Fact]
    public async Task CreateKeyAsync_PostsTheTokenNameWithTheExistingKeyAsBearer()
    {
        _mock.Expect(HttpMethod.Post, Api + "generate_auth_token")
            .WithHeaders("Authorization", "Bearer " + _managementKey)
            .WithContent("""{"token_name":"ironcage-prod-2"}""")
            .Respond("application/json", TestData.Read("perplexity-key-created.json"));

        using var created = await _host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = "ironcage-prod-2" });

        _mock.VerifyNoOutstandingExpectation();
        created.ProviderKeyId.Should().Be("ironcage-prod-2");
        created.Secret.Reveal().Should().Be("pplx-4Fh7Kq2Lm9Np3Rs6Tv8Wx1Yz5Ab0Cd2Ef4Gh6Ij8Kl0Mn2Op4Q");
        created.Metadata[PerplexityConstants.CreatedAtMetadataKey].Should().Be("1764666000");
        _host.Logs.ShouldNotContainAny([_managementKey, created.Secret.Reveal()]);
    }

    [Fact]
    public async Task RevokeKeyAsync_PostsTheFullSecret_AndLogsOnlyItsHint()
    {
        using var old = FakeKeys.Generate(ProviderId.Perplexity);
        _mock.Expect(HttpMethod.Post, Api + "revoke_auth_token")
            .WithHeaders("Authorization", "Bearer " + _managementKey)
            .WithContent($$"""{"auth_token":"{{old.Reveal()}}"}""")
            .Respond(HttpStatusCode.OK);

        await Revoker.RevokeKeyAsync(Context, "ironcage-prod-1", old);

        _mock.VerifyNoOutstandingExpectation();
        _host.Logs.ShouldNotContainAny([_managementKey, old.Reveal()]);
    }

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task RevokeKeyAsync_ErrorAnswerEchoingTheKey_IsClassifiedWithoutTheKey(int status, string kind)
    {
        using var old = FakeKeys.Generate(ProviderId.Perplexity);
        _mock.When(HttpMethod.Post, Api + "revoke_auth_token").Respond((HttpStatusCode)status, "application/json", $$$"""{"error":{"message":"Unknown token {{{old.Reveal()}}}","type":"invalid_request_error","code":{{{status}}}}}""");

        var act = () => Revoker.RevokeKeyAsync(Context, "ironcage-prod-1", old);

        var thrown = (await act.Should().ThrowAsync<ProviderRequestException>()).Which;
        thrown.Kind.Should().Be(new ProviderErrorKind(kind));
        thrown.StatusCode.Should().Be(status);
        thrown.ToString().Should().NotContain(old.Reveal()).And.NotContain(_managementKey);
        _host.Logs.ShouldNotContainAny([_managementKey, old.Reveal()]);
    }

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task CreateKeyAsync_ErrorAnswer_IsClassified(int status, string kind)
    {
        _mock.When(HttpMethod.Post, Api + "generate_auth_token").Respond((HttpStatusCode)status, "application/json", """{"error":{"message":"nope","type":"invalid_request_error"}}""");

        var act = () => _host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = "n" });

        var thrown = (await act.Should().ThrowAsync<ProviderRequestException>()).Which;
        thrown.Kind.Should().Be(new ProviderErrorKind(kind));
        thrown.Message.Should().NotContain(_managementKey);
    }

    [Fact]
    public async Task DeleteKeyAsync_ById_IsNotSupported()
    {
        var act = () => _host.Adapter.DeleteKeyAsync(Context, "ironcage-prod-1");

        await act.Should().ThrowAsync<NotSupportedByProviderException>().WithMessage("*by its value*");
    }

    [Fact]
    public async Task VerifyAndList_AreNotClaimed()
    {
        _host.Adapter.Capabilities.Should().Be(ProviderCapabilities.Create | ProviderCapabilities.Delete);
        using var key = FakeKeys.Generate(ProviderId.Perplexity);
        var act = () => _host.Adapter.VerifyAsync(Context, key);
        await act.Should().ThrowAsync<NotSupportedByProviderException>();
    }

    public void Dispose()
    {
        _host.Dispose();
        _mock.Dispose();
    }
}
