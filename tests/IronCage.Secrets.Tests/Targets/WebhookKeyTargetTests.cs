using System.Text.Json;
using IronCage.Conformance;
using IronCage.Notifications;
using IronCage.Providers;
using IronCage.Testing;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Secrets.Tests.Targets;

public sealed class WebhookKeyTargetTests : KeyDistributionTargetConformanceTests
{
    private const string SigningSecret = "0123456789abcdef-signing-secret";
    private readonly FakeClock _clock = FakeClock.FromUtc(2026, 12, 2, 16, 0, 0);
    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private WebhookReceiver _receiver = null!;

    public override async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public override async Task DisposeAsync()
    {
        _http.Dispose();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task DistributeAsync_Request_IsSignedWithTheNotificationsSchemeAndCarriesTheIdempotencyKey()
    {
        var target = await CreateTargetAsync(KeyReference);
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);

        await target.DistributeAsync(Distribution("op_7", "kv_9", secret));

        var request = _receiver.Requests.Should().ContainSingle().Which;
        request.Headers[WebhookKeyTargetConstants.IdempotencyKeyHeader].Should().Be("op_7:kv_9");
        WebhookSignature.Verify(SigningSecret, request.Headers["X-IronCage-Timestamp"], request.Body, request.Headers["X-IronCage-Signature"], _clock.GetCurrentInstant(), Duration.FromMinutes(5))
            .Should().BeTrue();
        WebhookSignature.Verify("another-secret-0123456789", request.Headers["X-IronCage-Timestamp"], request.Body, request.Headers["X-IronCage-Signature"], _clock.GetCurrentInstant(), Duration.FromMinutes(5))
            .Should().BeFalse();
        using var json = JsonDocument.Parse(request.Body);
        json.RootElement.GetProperty("type").GetString().Should().Be("ironcage.key.distributed");
        json.RootElement.GetProperty("key").GetString().Should().Be("openai/prod");
        json.RootElement.GetProperty("versionId").GetString().Should().Be("kv_9");
        json.RootElement.GetProperty("value").GetString().Should().Be(secret.Reveal());
    }

    [Fact]
    public async Task DistributeAsync_TransientFailures_AreRetriedBoundedThenFail()
    {
        var target = await CreateTargetAsync(KeyReference);
        for (var i = 0; i < 10; i++)
        {
            _receiver.ScriptedStatuses.Enqueue(503);
        }

        using var secret = FakeKeys.Generate(ProviderId.OpenAI);
        var act = () => target.DistributeAsync(Distribution("op_1", "kv_2", secret));

        (await act.Should().ThrowAsync<IronCageException>()).Which.Message.Should().Contain("after 3 attempts").And.NotContain(secret.Reveal());
        _receiver.Requests.Should().HaveCount(3);
        _receiver.Requests.Select(r => r.Headers[WebhookKeyTargetConstants.IdempotencyKeyHeader]).Distinct().Should().ContainSingle();
    }

    [Fact]
    public async Task DistributeAsync_TransientThenSuccess_Confirms()
    {
        var target = await CreateTargetAsync(KeyReference);
        _receiver.ScriptedStatuses.Enqueue(502);
        _receiver.ScriptedStatuses.Enqueue(429);
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);

        var receipt = await target.DistributeAsync(Distribution("op_1", "kv_2", secret));

        receipt.TargetVersion.Should().Be("r3");
        _receiver.HeldValue.Should().Be(secret.Reveal());
    }

    [Fact]
    public async Task DistributeAsync_ClientError_IsNotRetried()
    {
        var target = await CreateTargetAsync(KeyReference);
        _receiver.ScriptedStatuses.Enqueue(401);
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);

        var act = () => target.DistributeAsync(Distribution("op_1", "kv_2", secret));

        await act.Should().ThrowAsync<IronCageException>().WithMessage("*HTTP 401*not retried*");
        _receiver.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task DistributeAsync_Redirect_IsNeverFollowed()
    {
        await using var other = await WebhookReceiver.StartAsync();
        _receiver.RedirectTo = other.Url.ToString();
        var target = await CreateTargetAsync(KeyReference);
        using var secret = FakeKeys.Generate(ProviderId.OpenAI);

        var act = () => target.DistributeAsync(Distribution("op_1", "kv_2", secret));

        await act.Should().ThrowAsync<IronCageException>().WithMessage("*redirects are never followed*");
        other.Requests.Should().BeEmpty();
    }

    [Theory]
    [InlineData("http://example.com/hook", true)]
    [InlineData("http://10.0.0.5/hook", true)]
    [InlineData("http://127.0.0.1:8080/hook", false)]
    [InlineData("ftp://example.com/hook", true)]
    [InlineData("https://user:pw@example.com/hook", true)]
    public void Validate_NonHttpsUrl_IsRefusedUnlessLoopbackAllowed(string url, bool allowLoopback)
    {
        var options = new WebhookKeyTargetOptions { Url = new Uri(url), Secret = SigningSecret, AllowHttpLoopback = allowLoopback };
        options.Keys.Add(KeyReference);

        WebhookKeyTarget.Validate(options).Should().NotBeNull();
    }

    [Fact]
    public void Validate_HttpsWithSecretAndKeys_IsAccepted()
    {
        var options = new WebhookKeyTargetOptions { Url = new Uri("https://consumer.example/hook"), Secret = SigningSecret };
        options.Keys.Add(KeyReference);

        WebhookKeyTarget.Validate(options).Should().BeNull();
    }

    protected override Task<IKeyDistributionTarget> CreateTargetAsync(KeyReference key)
    {
        var options = new WebhookKeyTargetOptions { Url = _receiver.Url, Secret = SigningSecret, AllowHttpLoopback = true, MaxRetries = 2, RetryDelay = TimeSpan.Zero };
        options.Keys.Add(key);
        return Task.FromResult<IKeyDistributionTarget>(new WebhookKeyTarget(options, _http, _clock));
    }

    protected override Task<string?> ReadHeldValueAsync() => Task.FromResult(_receiver.HeldValue);
}
