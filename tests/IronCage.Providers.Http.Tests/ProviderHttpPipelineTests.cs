using System.Net;
using System.Text.Json.Nodes;
using IronCage.Providers.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IronCage.Providers.Http.Tests;

/// <summary>The pipeline every provider connection gets: what it retries, what it never resends, and its bounds.</summary>
public sealed class ProviderHttpPipelineTests
{
    [Fact]
    public async Task SendAsync_CreateAnswered500_IsSentExactlyOnceAndFailsAsTransient()
    {
        var provider = ScriptedProvider.Always(HttpStatusCode.InternalServerError);
        using var host = new PlumbingHost(provider);

        var act = () => host.Http.SendAsync(host.Endpoint, new ProviderCall(HttpMethod.Post, host.Endpoint.Resolve("keys"), "create key") { Body = new JsonObject { ["name"] = "k" } }, CancellationToken.None);

        (await act.Should().ThrowAsync<ProviderRequestException>()).Which.Kind.Should().Be(ProviderErrorKind.Transient);
        provider.Requests.Should().Equal("POST /v1/keys");
    }

    [Fact]
    public async Task SendAsync_CreateThatTimesOut_IsNotResent()
    {
        // DisableForUnsafeHttpMethods looks only at answers: a POST whose attempt timed out would still be resent by it.
        // The provider is far slower than the timeout, so a loaded machine cannot let the answer win the race.
        var provider = new ScriptedProvider((_, _) => { Thread.Sleep(2000); return ScriptedProvider.Json(HttpStatusCode.OK); });
        using var host = new PlumbingHost(provider, o => o.Timeout = TimeSpan.FromMilliseconds(100));

        var act = () => host.Http.SendAsync(host.Endpoint, new ProviderCall(HttpMethod.Post, host.Endpoint.Resolve("keys"), "create key"), CancellationToken.None);

        (await act.Should().ThrowAsync<ProviderRequestException>()).Which.Message.Should().Contain("got no answer within 0.1 s");
        provider.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task SendAsync_ReadAnswering503Forever_MakesOnePlusMaxRetriesRequests()
    {
        var provider = ScriptedProvider.Always(HttpStatusCode.ServiceUnavailable);
        using var host = new PlumbingHost(provider);

        var act = () => host.Http.SendAsync(host.Endpoint, new ProviderCall(HttpMethod.Get, host.Endpoint.Resolve("keys/1"), "read key"), CancellationToken.None);

        await act.Should().ThrowAsync<ProviderRequestException>();
        provider.Requests.Should().HaveCount(1 + ProviderHttpConstants.DefaultMaxRetries);
    }

    [Fact]
    public async Task SendAsync_ReadAnswering503ThenOk_Succeeds()
    {
        var provider = new ScriptedProvider((_, n) => n == 1 ? ScriptedProvider.Json(HttpStatusCode.ServiceUnavailable) : ScriptedProvider.Json(HttpStatusCode.OK, """{"id":"1"}"""));
        using var host = new PlumbingHost(provider);

        var body = await host.Http.SendAsync(host.Endpoint, new ProviderCall(HttpMethod.Get, host.Endpoint.Resolve("keys/1"), "read key"), CancellationToken.None);

        body!.Value.GetStringOrNull("id").Should().Be("1");
        provider.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task SendAsync_RetryAfterBeyondTheCap_GoesBackToTheCallerAtOnce()
    {
        var provider = new ScriptedProvider((_, _) =>
        {
            var answer = ScriptedProvider.Json(HttpStatusCode.ServiceUnavailable);
            answer.Headers.TryAddWithoutValidation("Retry-After", "120");
            return answer;
        });
        using var host = new PlumbingHost(provider);

        var act = () => host.Http.SendAsync(host.Endpoint, new ProviderCall(HttpMethod.Get, host.Endpoint.Resolve("keys/1"), "read key"), CancellationToken.None);

        (await act.Should().ThrowAsync<ProviderRequestException>()).Which.RetryAfter.Should().Be(TimeSpan.FromSeconds(120));
        provider.Requests.Should().HaveCount(1, "a wait longer than 30 s is the caller's to schedule");
    }

    [Fact]
    public async Task SendAsync_ThrottledCreate_IsRetriedOnlyWhereThePackageSaysThrottlingMeansNotActedOn()
    {
        var throttled = new ScriptedProvider((_, n) => n == 1 ? ScriptedProvider.Json(HttpStatusCode.TooManyRequests) : ScriptedProvider.Json(HttpStatusCode.OK));
        using (var host = new PlumbingHost(throttled, retryThrottled: true))
        {
            await host.Http.SendAsync(host.Endpoint, new ProviderCall(HttpMethod.Post, host.Endpoint.Resolve("keys"), "create key"), CancellationToken.None);
        }

        var plain = ScriptedProvider.Always(HttpStatusCode.TooManyRequests);
        using (var host = new PlumbingHost(plain))
        {
            var act = () => host.Http.SendAsync(host.Endpoint, new ProviderCall(HttpMethod.Post, host.Endpoint.Resolve("keys"), "create key"), CancellationToken.None);
            (await act.Should().ThrowAsync<ProviderRequestException>()).Which.Kind.Should().Be(ProviderErrorKind.RateLimited);
        }

        throttled.Requests.Should().HaveCount(2);
        plain.Requests.Should().HaveCount(1);
    }

    [Fact]
    public async Task SendAsync_AnswerLargerThanTheBound_IsCutOffAtFourMebibytes()
    {
        var huge = new string('a', ProviderHttpConstants.MaxResponseBytes + 1000);
        var provider = new ScriptedProvider((_, _) => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(huge) });
        using var host = new PlumbingHost(provider);
        var calls = new ProviderHttpCalls(PlumbingHost.Descriptor, "test", host.Options);

        using var answer = await calls.SendAsync(host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(PlumbingHost.ClientName), _ => ValueTask.FromResult(new HttpRequestMessage(HttpMethod.Get, host.Endpoint.Resolve("big"))), "read", safeToRetry: true, CancellationToken.None);

        answer.Body.Length.Should().Be(ProviderHttpConstants.MaxResponseBytes);
    }

    [Fact]
    public async Task SendAsync_64MiBErrorAnswer_IsClassifiedFromABoundedPrefix()
    {
        var body = new EndlessJsonStream("""{"error":{"message":"no access","type":"permission_error"}}"""u8.ToArray(), 64L << 20);
        var provider = new ScriptedProvider((_, _) => new HttpResponseMessage(HttpStatusCode.Forbidden) { Content = new StreamContent(body) });
        using var host = new PlumbingHost(provider);

        var act = () => host.Http.SendAsync(host.Endpoint, new ProviderCall(HttpMethod.Get, host.Endpoint.Resolve("keys/1"), "read key"), CancellationToken.None);

        var thrown = (await act.Should().ThrowAsync<ProviderRequestException>()).Which;
        thrown.Kind.Should().Be(ProviderErrorKind.Forbidden);
        thrown.Message.Should().Contain("no access", "the error is read from the body's prefix");
        body.Served.Should().BeLessThanOrEqualTo(64 * 1024, "an error answer is read only up to its bound, whatever its size");
    }

    [Theory]
    [InlineData("text/html", "<html><body>Sign in to the Wi-Fi</body></html>")]
    [InlineData("application/json", "")]
    [InlineData("application/json", "{\"object\":\"list\",\"data\":[")]
    [InlineData("application/json", "{\"object\":\"list\"}")]
    public async Task VerifyAsync_200ThatIsNotTheDocumentedAnswer_IsAnUnexpectedAnswer(string mediaType, string body)
    {
        var provider = new ScriptedProvider((_, _) => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, System.Text.Encoding.UTF8, mediaType) });
        using var host = new PlumbingHost(provider);
        using var key = SecretValue.FromString("sk-proj-verify-me");

        var result = await OpenAIShaped(host).VerifyAsync(host.Endpoint, host.Endpoint.Resolve("models"), key, null, CancellationToken.None);

        result.IsValid.Should().BeFalse();
        result.ErrorKind.Should().Be(ProviderErrorKind.UnexpectedAnswer);
        provider.Requests.Should().Equal("GET /v1/models");
    }

    [Fact]
    public async Task VerifyAsync_200WithTheDocumentedList_IsValid()
    {
        var provider = new ScriptedProvider((_, _) => ScriptedProvider.Json(HttpStatusCode.OK, """{"object":"list","data":[{"id":"gpt-4o-mini","object":"model"}]}"""));
        using var host = new PlumbingHost(provider);
        using var key = SecretValue.FromString("sk-proj-verify-me");

        var result = await OpenAIShaped(host).VerifyAsync(host.Endpoint, host.Endpoint.Resolve("models"), key, null, CancellationToken.None);

        result.IsValid.Should().BeTrue(result.Message);
    }

    [Fact]
    public async Task SendAsync_Redirect_IsNotFollowed()
    {
        var provider = new ScriptedProvider((_, _) => new HttpResponseMessage(HttpStatusCode.Found) { Headers = { Location = new Uri("https://elsewhere.example/steal") } });
        using var host = new PlumbingHost(provider);

        var act = () => host.Http.SendAsync(host.Endpoint, new ProviderCall(HttpMethod.Get, host.Endpoint.Resolve("keys/1"), "read key"), CancellationToken.None);

        await act.Should().ThrowAsync<ProviderRequestException>();
        provider.Requests.Should().Equal("GET /v1/keys/1");
    }

    [Fact]
    public async Task SendAsync_ErrorThatEchoesTheCredential_KeepsItOutOfTheMessage()
    {
        var provider = new ScriptedProvider((_, _) => ScriptedProvider.Json(HttpStatusCode.Unauthorized, """{"error":{"message":"Incorrect API key provided: test-admin-key"}}"""));
        using var host = new PlumbingHost(provider);

        var act = () => host.Http.SendAsync(host.Endpoint, new ProviderCall(HttpMethod.Get, host.Endpoint.Resolve("keys/1"), "read key"), CancellationToken.None);

        var thrown = (await act.Should().ThrowAsync<ProviderRequestException>()).Which;
        thrown.Kind.Should().Be(ProviderErrorKind.InvalidKey);
        thrown.ToString().Should().NotContain("test-admin-key");
    }

    [Fact]
    public void Endpoint_ToString_LeavesTheCredentialOut()
    {
        using var host = new PlumbingHost(ScriptedProvider.Always(HttpStatusCode.OK));

        host.Endpoint.ToString().Should().NotContain("test-admin-key").And.Contain("test");
    }

    [Fact]
    public void Options_OutOfRange_StopStartWithMessagesNamingTheSettings()
    {
        using var host = new PlumbingHost(ScriptedProvider.Always(HttpStatusCode.OK), o =>
        {
            o.MaxRetries = 11;
            o.Timeout = TimeSpan.Zero;
            o.BaseAddress = new Uri("http://api.test.example/");
        });

        var act = () => host.Options;

        act.Should().Throw<OptionsValidationException>().Which.Failures.Should().Contain(f => f.Contains("MaxRetries is 11"))
            .And.Contain(f => f.Contains("Timeout is 00:00:00"))
            .And.Contain(f => f.Contains("plain http on a non-loopback host"));
    }

    /// <summary>The plumbing with OpenAI's descriptor: its verify call documents <c>GET /v1/models</c> answering a <c>data</c> list.</summary>
    private static ProviderHttp OpenAIShaped(PlumbingHost host)
        => new(host.Services.GetRequiredService<IHttpClientFactory>(), PlumbingHost.ClientName, ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.OpenAI), NodaTime.SystemClock.Instance);

    /// <summary>A body of any length that allocates nothing: a JSON prefix, then JSON whitespace; counts what was read.</summary>
    private sealed class EndlessJsonStream(byte[] prefix, long length) : Stream
    {
        public long Served { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => Served;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, length - Served);
            for (var i = 0; i < n; i++)
            {
                var at = Served + i;
                buffer[i] = at < prefix.Length ? prefix[at] : (byte)' ';
            }

            Served += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
