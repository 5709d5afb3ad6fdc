using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using IronCage.Encryption;
using IronCage.Providers.AwsBedrock;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Providers.AwsBedrock.Tests;

/// <summary>
/// The wire format of Amazon Bedrock short-term API keys as AWS's token generators make them: <c>bedrock-api-key-</c>
/// and the base64 of a SigV4 query-string pre-signature of <c>POST https://bedrock.amazonaws.com/?Action=CallWithBearerToken</c>
/// (service <c>bedrock</c>), without its scheme and with <c>&amp;Version=1</c>; its lifetime capped by the credentials'.
/// </summary>
public sealed class AwsBedrockShortTermKeyTests
{
    private const string AccessKey = "AKIDEXAMPLESHORTTERM";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static readonly ProviderKeyContext Context = new() { Key = new KeyReference(ProviderId.AwsBedrockShortTerm, "prod") };

    [Fact]
    public async Task Generate_LongTermCredentials_IsThePrefixAndBase64OfThePresignedUrlWithoutSchemeAndWithVersion1()
    {
        using var host = new Host(o => { o.Region = "us-west-2"; o.Credentials = new BasicAWSCredentials(AccessKey, SecretKey); });

        using var key = await host.Generator.GenerateKeyAsync(new GenerateProviderKeyRequest { Context = Context });

        var text = key.Secret.Reveal();
        SecretLeakRegistry.Shared.RecordSecret(text);
        text.Should().StartWith("bedrock-api-key-");
        var url = Encoding.UTF8.GetString(Convert.FromBase64String(text["bedrock-api-key-".Length..]));
        url.Should().StartWith("bedrock.amazonaws.com/?Action=CallWithBearerToken&").And.EndWith("&Version=1").And.NotContain("https://");
        var query = Query(url);
        query["X-Amz-Algorithm"].Should().Be("AWS4-HMAC-SHA256");
        query["X-Amz-Credential"].Should().Be($"{AccessKey}/20261101/us-west-2/bedrock/aws4_request", "the credential scope names the region and the bedrock service");
        query["X-Amz-Date"].Should().Be("20261101T090000Z");
        query["X-Amz-Expires"].Should().Be("43200", "12 hours, the longest AWS allows and the default");
        query["X-Amz-SignedHeaders"].Should().Be("host");
        query.Should().NotContainKey("X-Amz-Security-Token");
        query["X-Amz-Signature"].Should().Be(ExpectedSignature(query, SecretKey), "the signature is SigV4 over POST / with the host header and the empty payload");
        key.ExpiresAt.Should().Be(host.Clock.GetCurrentInstant() + Duration.FromHours(12));
        key.ProviderKeyId.Should().StartWith("short-term-20261101T090000Z-").And.NotContain(query["X-Amz-Signature"]);
        foreach (var shown in new[] { key.ToString(), key.Secret.ToString(), key.Secret.DisplayHint, string.Join(";", key.Metadata) })
        {
            shown.Should().NotContain(text["bedrock-api-key-".Length..][..24]).And.NotContain(query["X-Amz-Signature"]).And.NotContain(SecretKey);
        }

        host.Logs.Lines.Should().ContainSingle(l => l.Contains(key.ProviderKeyId)).Which.Should().NotContain(query["X-Amz-Signature"]).And.NotContain(text[^24..]);
        host.Get<IProviderCatalog>().GetDescriptor(ProviderId.AwsBedrockShortTerm).FormatsFor(KeyKind.Inference).Should().ContainSingle()
            .Which.IsMatch(text).Should().BeTrue("the catalog's key format knows the generated key");
    }

    [Fact]
    public async Task Generate_SessionCredentials_IncludesTheSessionTokenInTheSignedQuery()
    {
        const string Token = "FwoGZXIvYXdzEJr//////////wEaDOk+session/token==";
        using var host = new Host(o => { o.Region = "eu-central-1"; o.Credentials = new SessionAWSCredentials(AccessKey, SecretKey, Token); });

        using var key = await host.Generator.GenerateKeyAsync(new GenerateProviderKeyRequest { Context = Context });

        var query = Query(Encoding.UTF8.GetString(Convert.FromBase64String(key.Secret.Reveal()["bedrock-api-key-".Length..])));
        query["X-Amz-Security-Token"].Should().Be(Token);
        query["X-Amz-Credential"].Should().EndWith("/eu-central-1/bedrock/aws4_request");
        query["X-Amz-Signature"].Should().Be(ExpectedSignature(query, SecretKey), "the session token is part of the signed query");
    }

    [Fact]
    public async Task Generate_TemporaryCredentialsExpiringFirst_CapsTheKeysLifetimeAtTheirExpiry()
    {
        using var host = new Host(o => { o.Region = "us-east-1"; });
        var credentials = new SessionAWSCredentials(AccessKey, SecretKey, "session") { Expiration = host.Clock.GetCurrentInstant().ToDateTimeUtc().AddMinutes(95) };
        host.Options.Credentials = credentials;

        using var key = await host.Generator.GenerateKeyAsync(new GenerateProviderKeyRequest { Context = Context });

        Query(Encoding.UTF8.GetString(Convert.FromBase64String(key.Secret.Reveal()["bedrock-api-key-".Length..])))["X-Amz-Expires"].Should().Be("5700", "95 minutes: the key never outlives the credentials that signed it");
        key.ExpiresAt.Should().Be(host.Clock.GetCurrentInstant() + Duration.FromMinutes(95));
    }

    [Theory]
    [InlineData(12 * 60, 30, 30)]
    [InlineData(45, null, 45)]
    [InlineData(60, 600, 60)]
    public async Task Generate_LifetimeIsTheShortestOfTheSourcesAndThePolicys(int sourceMinutes, int? policyMinutes, int expectedMinutes)
    {
        using var host = new Host(o => { o.Region = "us-east-1"; o.Credentials = new BasicAWSCredentials(AccessKey, SecretKey); o.Lifetime = TimeSpan.FromMinutes(sourceMinutes); });

        using var key = await host.Generator.GenerateKeyAsync(new GenerateProviderKeyRequest { Context = Context, Lifetime = policyMinutes is { } m ? Duration.FromMinutes(m) : null });

        key.ExpiresAt.Should().Be(host.Clock.GetCurrentInstant() + Duration.FromMinutes(expectedMinutes));
    }

    [Fact]
    public async Task Generate_CredentialsAboutToExpire_IsRefusedWithAFixAndNoSecret()
    {
        using var host = new Host(o => { o.Region = "us-east-1"; });
        host.Options.Credentials = new SessionAWSCredentials(AccessKey, SecretKey, "session") { Expiration = host.Clock.GetCurrentInstant().ToDateTimeUtc() };

        var failure = (await host.Generator.Invoking(g => g.GenerateKeyAsync(new GenerateProviderKeyRequest { Context = Context })).Should().ThrowAsync<ProviderRequestException>()).Which;

        failure.Kind.Should().Be(ProviderErrorKind.Forbidden);
        failure.Message.Should().Contain("too soon to sign").And.NotContain(SecretKey);
    }

    [Fact]
    public async Task Generate_CredentialSourceRefuses_ThrowsForbiddenWithoutTheSourcesText()
    {
        using var host = new Host(o => { o.Region = "us-east-1"; o.Credentials = new RefusingCredentials(); });

        var failure = (await host.Generator.Invoking(g => g.GenerateKeyAsync(new GenerateProviderKeyRequest { Context = Context })).Should().ThrowAsync<ProviderRequestException>()).Which;

        failure.Kind.Should().Be(ProviderErrorKind.Forbidden);
        failure.Message.Should().Contain("could not be obtained").And.Contain(nameof(AmazonClientException)).And.NotContain(RefusingCredentials.Detail);
        failure.ToString().Should().NotContain(RefusingCredentials.Detail);
        host.Logs.Lines.Should().NotContain(l => l.Contains(RefusingCredentials.Detail));
    }

    [Theory]
    [InlineData(null, 12 * 60, "Region")]
    [InlineData("us-east-1", 0, "Lifetime")]
    [InlineData("us-east-1", 13 * 60, "Lifetime")]
    public void Start_InvalidSource_FailsValidation(string? region, int lifetimeMinutes, string setting)
    {
        using var host = new Host(o => { o.Region = region; o.Lifetime = TimeSpan.FromMinutes(lifetimeMinutes); });

        var failure = host.Invoking(h => h.Get<IOptionsMonitor<AwsBedrockShortTermOptions>>().Get("bedrock")).Should().Throw<OptionsValidationException>().Which;

        failure.Message.Should().Contain(setting);
    }

    [Fact]
    public void Catalog_ShortTermDescriptor_IsTheGeneratedTierDistinctFromTheLongTermKeys()
    {
        var shortTerm = ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.AwsBedrockShortTerm);
        var longTerm = ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.AwsBedrock);

        shortTerm.Tier.Should().Be(RotationTier.Generated);
        longTerm.Tier.Should().Be(RotationTier.Automatic);
        shortTerm.Supports(ProviderCapabilities.Delete | ProviderCapabilities.Deactivate).Should().BeFalse("nothing can revoke a short-term key");
        shortTerm.Notes.Should().Contain("Nothing can revoke");
        using var host = new Host(o => o.Region = "us-east-1");
        host.Get<IEnumerable<IProviderAdapter>>().Should().ContainSingle().Which.Capabilities.Should().Be(ProviderCapabilities.Generate | ProviderCapabilities.Expiry | ProviderCapabilities.Verify);
    }

    private static Dictionary<string, string> Query(string url)
        => url[(url.IndexOf('?', StringComparison.Ordinal) + 1)..^"&Version=1".Length].Split('&')
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p[1]), StringComparer.Ordinal);

    // SigV4 query-string signing (the AWS General Reference's "create a signed request"), written out independently of AWSSDK.
    private static string ExpectedSignature(Dictionary<string, string> query, string secret)
    {
        var canonicalQuery = string.Join('&', query.Where(p => p.Key != "X-Amz-Signature").OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        var canonicalRequest = $"POST\n/\n{canonicalQuery}\nhost:bedrock.amazonaws.com\n\nhost\n{Hex(SHA256.HashData([]))}";
        var scope = query["X-Amz-Credential"].Split('/');
        var stringToSign = $"AWS4-HMAC-SHA256\n{query["X-Amz-Date"]}\n{string.Join('/', scope[1..])}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + secret);
        foreach (var part in scope[1..])
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        return Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLower(CultureInfo.InvariantCulture);

    /// <summary>A credential source that refuses (an assumed role STS will not grant), with a detail that must not be repeated.</summary>
    private sealed class RefusingCredentials : AWSCredentials
    {
        public const string Detail = "role arn:aws:iam::123456789012:role/secret-role-name refused";

        public override ImmutableCredentials GetCredentials() => throw new AmazonClientException(Detail);

        public override Task<ImmutableCredentials> GetCredentialsAsync() => throw new AmazonClientException(Detail);
    }

    private sealed class Host : IDisposable
    {
        private readonly ServiceProvider _services;

        public Host(Action<AwsBedrockShortTermOptions> configure)
        {
            var services = new ServiceCollection();
            services.AddLogging(b => b.AddProvider(Logs));
            services.AddSingleton<IClock>(Clock);
            services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).AddAwsBedrockShortTermKeys("bedrock", configure);
            _services = services.BuildServiceProvider();
        }

        public FakeClock Clock { get; } = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);

        public CloudProviderTestHost.RecordingLogs Logs { get; } = new();

        // The source's options as the adapter reads them (one instance per name), so a test can swap its credentials.
        public AwsBedrockShortTermOptions Options => Get<IOptionsMonitor<AwsBedrockShortTermOptions>>().Get("bedrock");

        public IKeyGeneratingProviderAdapter Generator => (IKeyGeneratingProviderAdapter)_services.GetServices<IProviderAdapter>().Single();

        public T Get<T>()
            where T : notnull => _services.GetRequiredService<T>();

        public void Dispose() => _services.Dispose();
    }
}
