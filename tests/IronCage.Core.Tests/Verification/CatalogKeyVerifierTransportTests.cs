using System.Net;
using IronCage.Testing;
using RichardSzalay.MockHttp;

namespace IronCage.Core.Tests.Verification;

/// <summary>When no answer arrives: network errors and timeouts are transient results; the caller's cancellation is an exception.</summary>
public sealed class CatalogKeyVerifierTransportTests
{
    private const string OpenAIModels = "https://api.openai.com/v1/models";

    [Fact]
    public async Task VerifyAsync_NetworkError_ReturnsTransientWithoutStatus()
    {
        using var key = FakeKeys.Generate(ProviderId.OpenAI);
        using var harness = new VerifierHarness();
        harness.Mock.Expect(HttpMethod.Get, OpenAIModels)
            .Throw(new HttpRequestException("Name or service not known (api.openai.com:443)", null, statusCode: null));

        var result = await harness.Verifier.VerifyAsync(ProviderId.OpenAI, key);

        harness.Mock.VerifyNoOutstandingExpectation();
        result.IsValid.Should().BeFalse();
        result.ErrorKind.Should().Be(ProviderErrorKind.Transient);
        result.StatusCode.Should().BeNull();
        result.ProviderErrorCode.Should().BeNull();
        result.RequestId.Should().BeNull();
        result.RetryAfter.Should().BeNull();
        result.Message.Should().Contain("could not reach the provider").And.Contain("Name or service not known");

        var thrown = result.Invoking(r => r.EnsureValid()).Should().Throw<ProviderRequestException>().Which;
        thrown.Kind.Should().Be(ProviderErrorKind.Transient);
        thrown.StatusCode.Should().BeNull();
    }

    [Fact]
    public async Task VerifyAsync_NoAnswerWithinVerifyTimeout_ReturnsTransient()
    {
        using var key = FakeKeys.Generate(ProviderId.OpenAI);
        using var harness = new VerifierHarness(o => o.VerifyTimeout = TimeSpan.FromSeconds(1));
        var hanging = new HangingRequest(OpenAIModels);
        harness.Mock.AddRequestExpectation(hanging);

        var result = await harness.Verifier.VerifyAsync(ProviderId.OpenAI, key);

        hanging.WasSent.Should().BeTrue("the request went out and was then abandoned");
        result.ErrorKind.Should().Be(ProviderErrorKind.Transient);
        result.StatusCode.Should().BeNull();
        result.Message.Should().Contain("no answer within 1 s");
    }

    [Fact]
    public async Task VerifyAsync_BodyNeverCompletesWithinVerifyTimeout_ReturnsTransient()
    {
        using var key = FakeKeys.Generate(ProviderId.OpenAI);
        using var harness = new VerifierHarness(o => o.VerifyTimeout = TimeSpan.FromSeconds(1));
        harness.Mock.Expect(HttpMethod.Get, OpenAIModels)
            .Respond(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new StallingStream()) });

        var result = await harness.Verifier.VerifyAsync(ProviderId.OpenAI, key);

        result.ErrorKind.Should().Be(ProviderErrorKind.Transient);
        result.StatusCode.Should().BeNull();
    }

    [Fact]
    public async Task VerifyAsync_ConnectionDropsWhileReadingBody_ReturnsTransient()
    {
        using var key = FakeKeys.Generate(ProviderId.OpenAI);
        using var harness = new VerifierHarness();
        harness.Mock.Expect(HttpMethod.Get, OpenAIModels)
            .Respond(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new FailingStream()) });

        var result = await harness.Verifier.VerifyAsync(ProviderId.OpenAI, key);

        result.ErrorKind.Should().Be(ProviderErrorKind.Transient, "a connection that dies mid-body is a network failure, like one that never connects");
        result.StatusCode.Should().BeNull();
        result.Message.Should().Contain("could not reach the provider");
    }

    [Fact]
    public async Task VerifyAsync_CallerTokenAlreadyCancelled_ThrowsOperationCanceled()
    {
        using var key = FakeKeys.Generate(ProviderId.OpenAI);
        using var harness = new VerifierHarness();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var verify = () => harness.Verifier.VerifyAsync(ProviderId.OpenAI, key, cancellationToken: cts.Token);

        await verify.Should().ThrowAsync<OperationCanceledException>();
    }

    [Fact]
    public async Task VerifyAsync_CallerCancelsWhileWaiting_ThrowsOperationCanceledNotAResult()
    {
        using var key = FakeKeys.Generate(ProviderId.OpenAI);
        using var harness = new VerifierHarness();
        using var cts = new CancellationTokenSource();
        var hanging = new HangingRequest(OpenAIModels, onSend: cts.Cancel);
        harness.Mock.AddRequestExpectation(hanging);

        var verify = () => harness.Verifier.VerifyAsync(ProviderId.OpenAI, key, cancellationToken: cts.Token);

        await verify.Should().ThrowAsync<OperationCanceledException>("the caller's own cancellation is not a verification outcome");
        hanging.WasSent.Should().BeTrue();
    }

    /// <summary>A MockHttp expectation that never answers: it waits, with the request's cancellation token, forever.</summary>
    private sealed class HangingRequest(string url, Action? onSend = null) : IMockedRequest
    {
        private readonly Uri _url = new(url);

        public bool WasSent { get; private set; }

        public bool Matches(HttpRequestMessage message) => message.Method == HttpMethod.Get && message.RequestUri == _url;

        public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, CancellationToken cancellationToken)
        {
            WasSent = true;
            onSend?.Invoke();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("Task.Delay(Infinite) only ends by cancellation.");
        }
    }

    /// <summary>A body whose first read never completes until cancelled.</summary>
    private sealed class StallingStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("synchronous reads are not expected");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A body that fails the way SocketsHttpHandler's does when the connection closes mid-response.</summary>
    private sealed class FailingStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => ValueTask.FromException<int>(new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely."));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely.");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
