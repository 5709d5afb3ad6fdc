using NodaTime;
using static IronCage.Testing.Tests.FakeProviderAdapterTests;
using NodaTime.Testing;

namespace IronCage.Testing.Tests;

public sealed class FakeOperationScriptTests
{
    private static readonly Instant Start = Instant.FromUtc(2026, 5, 4, 9, 30);

    private readonly FakeClock _clock = new(Start);

    public static TheoryData<string, int> KindsAndStatuses => new()
    {
        { "InvalidKey", 401 },
        { "Forbidden", 403 },
        { "RateLimited", 429 },
        { "QuotaExhausted", 429 },
        { "NotFound", 404 },
        { "Conflict", 409 },
        { "BadRequest", 400 },
        { "Transient", 503 },
    };

    [Theory]
    [MemberData(nameof(KindsAndStatuses))]
    public async Task Fail_OnCreate_ThrowsThatKindWithMatchingStatusAndLeavesStateUnchanged(string kindName, int status)
    {
        var kind = new ProviderErrorKind(kindName);
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        adapter.On(FakeProviderOperation.Create).Fail(kind);

        var act = () => adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"));

        var thrown = (await act.Should().ThrowAsync<ProviderRequestException>()).Which;
        thrown.Kind.Should().Be(kind);
        thrown.StatusCode.Should().Be(status);
        thrown.Provider.Should().Be(ProviderId.OpenAI);
        thrown.RequestId.Should().StartWith("req_fake_");
        thrown.Message.Should().Contain(kindName);
        adapter.Keys.Should().BeEmpty();
        adapter.Calls.Should().ContainSingle().Which.Should().Be(
            new FakeProviderCall(FakeProviderOperation.Create, Ref(ProviderId.OpenAI), null, Start, FakeCallOutcome.Failed));
    }

    [Fact]
    public async Task Fail_RateLimitedWithRetryAfter_ExceptionCarriesRetryAfter()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        adapter.On(FakeProviderOperation.Create).Fail(ProviderErrorKind.RateLimited, retryAfter: TimeSpan.FromSeconds(42));

        var act = () => adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"));

        var thrown = (await act.Should().ThrowAsync<ProviderRequestException>()).Which;
        thrown.Kind.Should().Be(ProviderErrorKind.RateLimited);
        thrown.StatusCode.Should().Be(429);
        thrown.RetryAfter.Should().Be(TimeSpan.FromSeconds(42));
    }

    [Fact]
    public async Task Fail_QuotaExhausted_CarriesInsufficientQuotaCode()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        adapter.On(FakeProviderOperation.Create).Fail(ProviderErrorKind.QuotaExhausted);

        var act = () => adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"));

        var thrown = (await act.Should().ThrowAsync<ProviderRequestException>()).Which;
        thrown.ProviderErrorCode.Should().Be("insufficient_quota");
        thrown.RetryAfter.Should().BeNull();
    }

    [Fact]
    public async Task Fail_OnDelete_KeyStaysActive()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        using var created = await adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"));
        adapter.On(FakeProviderOperation.Delete).Fail(ProviderErrorKind.Transient);

        var act = () => adapter.DeleteKeyAsync(Context(ProviderId.OpenAI), created.ProviderKeyId);

        (await act.Should().ThrowAsync<ProviderRequestException>()).Which.StatusCode.Should().Be(503);
        adapter.IsAccepted(created.Secret).Should().BeTrue();
        adapter.CallsTo(FakeProviderOperation.Delete).Single().Should().Be(
            new FakeProviderCall(FakeProviderOperation.Delete, Ref(ProviderId.OpenAI), created.ProviderKeyId, Start, FakeCallOutcome.Failed));
    }

    [Fact]
    public async Task Fail_OnRegenerate_SlotKeepsItsValue()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.AzureOpenAI, _clock);
        using var key1 = await adapter.RegenerateSlotAsync(Context(ProviderId.AzureOpenAI), "Key1");
        adapter.On(FakeProviderOperation.Regenerate).Fail(ProviderErrorKind.Conflict);

        var act = () => adapter.RegenerateSlotAsync(Context(ProviderId.AzureOpenAI), "Key1");

        (await act.Should().ThrowAsync<ProviderRequestException>()).Which.StatusCode.Should().Be(409);
        adapter.IsAccepted(key1.Secret).Should().BeTrue();
    }

    [Fact]
    public async Task FailAfterSideEffects_OnCreate_ThrowsButKeyExistsAtProvider()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        adapter.On(FakeProviderOperation.Create).FailAfterSideEffects(ProviderErrorKind.Transient);

        var act = () => adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "ironcage-prod-attempt-1"));

        var thrown = (await act.Should().ThrowAsync<ProviderRequestException>()).Which;
        thrown.Kind.Should().Be(ProviderErrorKind.Transient);
        thrown.StatusCode.Should().Be(503);
        var orphan = adapter.LiveKeyIds.Should().ContainSingle().Subject;
        adapter.Calls.Should().ContainSingle().Which.Should().Be(
            new FakeProviderCall(FakeProviderOperation.Create, Ref(ProviderId.OpenAI), orphan, Start, FakeCallOutcome.FailedAfterSideEffects));

        // The caller recovers the orphan by its unique name, as the rotation engine does after an ambiguous failure.
        var listed = await ToListAsync(adapter.ListKeysAsync(Context(ProviderId.OpenAI)));
        listed.Should().ContainSingle().Which.Name.Should().Be("ironcage-prod-attempt-1");
    }

    [Fact]
    public async Task FailAfterSideEffects_OnDelete_ThrowsButKeyIsDeleted()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        using var created = await adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"));
        adapter.On(FakeProviderOperation.Delete).FailAfterSideEffects(ProviderErrorKind.Transient);

        var act = () => adapter.DeleteKeyAsync(Context(ProviderId.OpenAI), created.ProviderKeyId);

        await act.Should().ThrowAsync<ProviderRequestException>();
        adapter.IsAccepted(created.Secret).Should().BeFalse();
        adapter.CallsTo(FakeProviderOperation.Delete).Single().Outcome.Should().Be(FakeCallOutcome.FailedAfterSideEffects);
    }

    [Fact]
    public async Task Throw_BeforeSideEffects_ThrowsGivenExceptionAndCreatesNothing()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        var crash = new IOException("connection reset");
        adapter.On(FakeProviderOperation.Create).Throw(crash);

        var act = () => adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"));

        (await act.Should().ThrowAsync<IOException>()).Which.Should().BeSameAs(crash);
        adapter.Keys.Should().BeEmpty();
        adapter.Calls.Single().Outcome.Should().Be(FakeCallOutcome.Failed);
    }

    [Fact]
    public async Task Throw_AfterSideEffects_ThrowsGivenExceptionAndKeyExists()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        var crash = new TimeoutException("no answer");
        adapter.On(FakeProviderOperation.Create).Throw(crash, afterSideEffects: true);

        var act = () => adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"));

        (await act.Should().ThrowAsync<TimeoutException>()).Which.Should().BeSameAs(crash);
        var orphan = adapter.LiveKeyIds.Should().ContainSingle().Subject;
        adapter.Calls.Single().Should().Be(new FakeProviderCall(FakeProviderOperation.Create, Ref(ProviderId.OpenAI), orphan, Start, FakeCallOutcome.FailedAfterSideEffects));
    }

    [Fact]
    public void Throw_NullException_Throws()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);

        var act = () => adapter.On(FakeProviderOperation.Create).Throw(null!);

        act.Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public async Task Hang_UntilCancelled_ThrowsOperationCanceledAndRecordsCancelled()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        adapter.On(FakeProviderOperation.Create).Hang();
        using var cts = new CancellationTokenSource();

        var call = adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"), cts.Token);
        await Task.WhenAny(call, Task.Delay(50));
        call.IsCompleted.Should().BeFalse("a hanging call only ends when cancelled or released");
        await cts.CancelAsync();

        Func<Task> outcome = () => call;
        await outcome.Should().ThrowAsync<OperationCanceledException>();
        adapter.Keys.Should().BeEmpty();
        adapter.Calls.Should().ContainSingle().Which.Should().Be(
            new FakeProviderCall(FakeProviderOperation.Create, Ref(ProviderId.OpenAI), null, Start, FakeCallOutcome.Cancelled));
    }

    [Fact]
    public async Task Hang_ThenReleaseHung_CallSucceeds()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        adapter.On(FakeProviderOperation.Create).Hang();

        var call = adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"));
        await Task.WhenAny(call, Task.Delay(50));
        call.IsCompleted.Should().BeFalse();
        adapter.Calls.Should().BeEmpty("a hanging call is recorded when it ends");
        adapter.On(FakeProviderOperation.Create).ReleaseHung();

        using var created = await call;
        adapter.IsAccepted(created.Secret).Should().BeTrue();
        adapter.Calls.Single().Outcome.Should().Be(FakeCallOutcome.Succeeded);
    }

    [Fact]
    public async Task Hang_TwoConcurrentCalls_ReleaseHungReleasesBoth()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        adapter.On(FakeProviderOperation.Create).Hang(times: 2);

        var first = adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"));
        var second = adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "b"));
        adapter.On(FakeProviderOperation.Create).ReleaseHung();

        var created = await Task.WhenAll(first, second);
        adapter.LiveKeyIds.Should().HaveCount(2);
        foreach (var key in created)
        {
            key.Dispose();
        }
    }

    [Fact]
    public async Task Hang_CancelledCall_DoesNotKeepHangingAfterRelease()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        adapter.On(FakeProviderOperation.Create).Hang();
        using var cts = new CancellationTokenSource();
        var cancelled = adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"), cts.Token);
        await cts.CancelAsync();
        Func<Task> outcome = () => cancelled;
        await outcome.Should().ThrowAsync<OperationCanceledException>();

        adapter.On(FakeProviderOperation.Create).ReleaseHung();

        adapter.Keys.Should().BeEmpty();
        using var next = await adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "b"));
        adapter.LiveKeyIds.Should().ContainSingle();
    }

    [Fact]
    public async Task Script_SeveralBehaviours_ConsumedInOrderThenSucceeds()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        var script = adapter.On(FakeProviderOperation.Create)
            .Fail(ProviderErrorKind.Transient)
            .Fail(ProviderErrorKind.RateLimited)
            .Succeed()
            .Fail(ProviderErrorKind.Conflict);
        script.Pending.Should().Be(4);

        (await CreateFailureKind(adapter)).Should().Be(ProviderErrorKind.Transient);
        (await CreateFailureKind(adapter)).Should().Be(ProviderErrorKind.RateLimited);
        (await CreateFailureKind(adapter)).Should().BeNull();
        (await CreateFailureKind(adapter)).Should().Be(ProviderErrorKind.Conflict);
        (await CreateFailureKind(adapter)).Should().BeNull();
        (await CreateFailureKind(adapter)).Should().BeNull();

        script.Pending.Should().Be(0);
        script.Operation.Should().Be(FakeProviderOperation.Create);
        adapter.Calls.Select(c => c.Outcome).Should().Equal(
            FakeCallOutcome.Failed, FakeCallOutcome.Failed, FakeCallOutcome.Succeeded, FakeCallOutcome.Failed, FakeCallOutcome.Succeeded, FakeCallOutcome.Succeeded);
        adapter.LiveKeyIds.Should().HaveCount(3);
    }

    [Fact]
    public async Task Fail_WithTimes_FailsThatManyCallsThenSucceeds()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        adapter.On(FakeProviderOperation.Create).Fail(ProviderErrorKind.Transient, times: 3);

        for (var i = 0; i < 3; i++)
        {
            (await CreateFailureKind(adapter)).Should().Be(ProviderErrorKind.Transient);
        }

        (await CreateFailureKind(adapter)).Should().BeNull();
    }

    [Fact]
    public async Task Script_OneOperation_DoesNotAffectOthers()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        adapter.On(FakeProviderOperation.Delete).Fail(ProviderErrorKind.Transient);

        using var created = await adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"));
        (await adapter.VerifyAsync(Context(ProviderId.OpenAI), created.Secret)).IsValid.Should().BeTrue();

        adapter.On(FakeProviderOperation.Delete).Pending.Should().Be(1);
        adapter.On(FakeProviderOperation.Create).Pending.Should().Be(0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Enqueue_TimesBelowOne_Throws(int times)
    {
        var script = FakeProviderAdapter.For(ProviderId.OpenAI, _clock).On(FakeProviderOperation.Create);

        script.Invoking(s => s.Fail(ProviderErrorKind.Transient, times)).Should().Throw<ArgumentOutOfRangeException>();
        script.Invoking(s => s.Succeed(times)).Should().Throw<ArgumentOutOfRangeException>();
        script.Invoking(s => s.Hang(times)).Should().Throw<ArgumentOutOfRangeException>();
        script.Pending.Should().Be(0);
    }

    [Fact]
    public async Task FailAlways_AfterQueuedBehaviours_FailsEveryCallUntilReset()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        var script = adapter.On(FakeProviderOperation.Create).Succeed().FailAlways(ProviderErrorKind.Forbidden);

        (await CreateFailureKind(adapter)).Should().BeNull();
        for (var i = 0; i < 5; i++)
        {
            (await CreateFailureKind(adapter)).Should().Be(ProviderErrorKind.Forbidden);
        }

        script.Reset();

        (await CreateFailureKind(adapter)).Should().BeNull();
        adapter.LiveKeyIds.Should().HaveCount(2);
    }

    [Fact]
    public async Task ThrowAlways_EveryCallThrowsUntilReset()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        var crash = new IOException("disk on fire");
        adapter.On(FakeProviderOperation.Create).ThrowAlways(crash);

        for (var i = 0; i < 3; i++)
        {
            var act = () => adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"));
            (await act.Should().ThrowAsync<IOException>()).Which.Should().BeSameAs(crash);
        }

        adapter.On(FakeProviderOperation.Create).Reset();

        using var created = await adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"));
        adapter.Keys.Should().ContainSingle();
    }

    [Fact]
    public async Task Reset_WithQueuedFailures_ForgetsThem()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        var script = adapter.On(FakeProviderOperation.Create).Fail(ProviderErrorKind.Transient, times: 5);

        script.Reset();

        script.Pending.Should().Be(0);
        (await CreateFailureKind(adapter)).Should().BeNull();
    }

    [Theory]
    [MemberData(nameof(KindsAndStatuses))]
    public async Task Fail_OnVerify_ReturnsResultWithThatKindInsteadOfThrowing(string kindName, int status)
    {
        var kind = new ProviderErrorKind(kindName);
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        using var created = await adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"));
        adapter.On(FakeProviderOperation.Verify).Fail(kind);

        var result = await adapter.VerifyAsync(Context(ProviderId.OpenAI), created.Secret);

        result.IsValid.Should().BeFalse();
        result.ErrorKind.Should().Be(kind);
        result.StatusCode.Should().Be(status);
        adapter.CallsTo(FakeProviderOperation.Verify).Single().Outcome.Should().Be(FakeCallOutcome.Failed);
        (await adapter.VerifyAsync(Context(ProviderId.OpenAI), created.Secret)).IsValid.Should().BeTrue("the script was used up");
    }

    [Fact]
    public async Task Fail_OnVerifyRateLimited_ResultCarriesRetryAfter()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        using var created = await adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"));
        adapter.On(FakeProviderOperation.Verify).Fail(ProviderErrorKind.RateLimited, retryAfter: TimeSpan.FromSeconds(30));

        var result = await adapter.VerifyAsync(Context(ProviderId.OpenAI), created.Secret);

        result.ErrorKind.Should().Be(ProviderErrorKind.RateLimited);
        result.RetryAfter.Should().Be(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Throw_OnVerify_ThrowsTheGivenException()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        using var created = await adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"));
        adapter.On(FakeProviderOperation.Verify).Throw(new HttpRequestException("network down"));

        var act = () => adapter.VerifyAsync(Context(ProviderId.OpenAI), created.Secret);

        await act.Should().ThrowAsync<HttpRequestException>();
    }

    private static async Task<ProviderErrorKind?> CreateFailureKind(FakeProviderAdapter adapter)
    {
        try
        {
            using var created = await adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "attempt"));
            return null;
        }
        catch (ProviderRequestException ex)
        {
            return ex.Kind;
        }
    }
}
