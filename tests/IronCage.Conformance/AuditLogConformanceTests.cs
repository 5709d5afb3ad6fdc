using IronCage.Auditing;
using NodaTime;

namespace IronCage.Conformance;

/// <summary>
/// The contract every <see cref="IAuditLog"/> keeps. Subclass it in the log's test project and implement
/// <see cref="CreateLog"/>: every fact here then runs against that log, each with a fresh, empty log.
/// </summary>
public abstract class AuditLogConformanceTests : IAsyncLifetime
{
    // Instants carry microseconds but no finer: the finest precision every log is expected to keep (PostgreSQL's).
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 1, 9, 0, 5) + Duration.FromTicks(6_543_210);

    private readonly List<IAuditLog> _logs = [];

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        foreach (var log in _logs)
        {
            if (log is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else if (log is IDisposable disposable)
            {
                disposable.Dispose();
            }
        }
    }

    [ConformanceFact]
    public async Task Append_AssignsSequencesOneToNAndChainsTheHashes()
    {
        var log = await NewLogAsync();
        var events = Enumerable.Range(1, 5).Select(NewEvent).ToList();

        var appended = new List<AuditRecord>();
        foreach (var auditEvent in events)
        {
            appended.Add(await log.AppendAsync(auditEvent));
        }

        appended.Select(r => r.Sequence).Should().Equal(1, 2, 3, 4, 5);
        appended[0].PreviousHash.Should().Be(AuditChain.GenesisHash);
        for (var i = 0; i < appended.Count; i++)
        {
            var record = appended[i];
            if (i > 0)
            {
                record.PreviousHash.Should().Be(appended[i - 1].Hash, "record {0} links to record {1}", record.Sequence, record.Sequence - 1);
            }

            // Hashed over the event as given, so a log that alters an event before storing it fails here.
            record.Hash.Should().Be(AuditChain.ComputeHash(record.Sequence, record.PreviousHash, events[i]));
        }

        appended.Select(r => r.Hash).Should().OnlyHaveUniqueItems();
    }

    [ConformanceFact]
    public async Task Read_ReturnsTheAppendedRecordsInOrder()
    {
        var log = await NewLogAsync();
        var appended = await AppendAsync(log, 6);

        var read = await ReadAsync(log);

        read.Select(r => (r.Sequence, r.PreviousHash, r.Hash)).Should().Equal(appended.Select(r => (r.Sequence, r.PreviousHash, r.Hash)));
    }

    [ConformanceTheory]
    [InlineData(1L, new long[] { 1, 2, 3, 4, 5, 6 })]
    [InlineData(4L, new long[] { 4, 5, 6 })]
    [InlineData(6L, new long[] { 6 })]
    [InlineData(7L, new long[0])]
    [InlineData(100L, new long[0])]
    public async Task Read_FromSequence_ReturnsTheTailInOrder(long fromSequence, long[] expected)
    {
        var log = await NewLogAsync();
        var appended = await AppendAsync(log, 6);

        var read = await ReadAsync(log, fromSequence);

        read.Select(r => r.Sequence).Should().Equal(expected);
        read.Select(r => r.Hash).Should().Equal(appended.Where(r => r.Sequence >= fromSequence).Select(r => r.Hash));
    }

    [ConformanceFact]
    public async Task Read_EmptyLog_ReturnsNothing()
    {
        var log = await NewLogAsync();

        (await ReadAsync(log)).Should().BeEmpty();
    }

    [ConformanceFact]
    public async Task Verify_IntactLog_IsValidWithTheHeadAtTheLastRecord()
    {
        var log = await NewLogAsync();
        var appended = await AppendAsync(log, 5);

        var result = await log.VerifyAsync();

        result.IsValid.Should().BeTrue(result.Message);
        result.Tamper.Should().BeNull();
        result.FirstInvalidSequence.Should().BeNull();
        result.RecordsChecked.Should().Be(5);
        result.Head.Should().Be(new AuditCheckpoint(5, appended[^1].Hash));
    }

    [ConformanceFact]
    public async Task Verify_EmptyLog_IsValidWithoutHead()
    {
        var log = await NewLogAsync();

        var result = await log.VerifyAsync();

        result.IsValid.Should().BeTrue(result.Message);
        result.RecordsChecked.Should().Be(0);
        result.Head.Should().BeNull();
    }

    [ConformanceFact]
    public async Task Verify_WithTheCurrentHeadAsCheckpoint_IsValid()
    {
        var log = await NewLogAsync();
        await AppendAsync(log, 3);
        var head = (await log.VerifyAsync()).Head!.Value;
        await log.AppendAsync(NewEvent(4));

        var result = await log.VerifyAsync(head);

        result.IsValid.Should().BeTrue(result.Message);
        result.RecordsChecked.Should().Be(4);
    }

    [ConformanceFact]
    public async Task Verify_CheckpointBeyondTheEnd_ReportsTheFirstMissingRecord()
    {
        var log = await NewLogAsync();
        var appended = await AppendAsync(log, 3);

        var result = await log.VerifyAsync(new AuditCheckpoint(5, appended[^1].Hash));

        result.IsValid.Should().BeFalse();
        result.Tamper.Should().Be(AuditTamperKind.Missing);
        result.FirstInvalidSequence.Should().Be(4);
        result.Head.Should().BeNull();
    }

    [ConformanceFact]
    public async Task Verify_CheckpointOfAnotherChain_ReportsModified()
    {
        var log = await NewLogAsync();
        await AppendAsync(log, 3);

        var result = await log.VerifyAsync(new AuditCheckpoint(2, new string('a', 64)));

        result.IsValid.Should().BeFalse();
        result.Tamper.Should().Be(AuditTamperKind.Modified);
        result.FirstInvalidSequence.Should().Be(2);
    }

    [ConformanceFact]
    public async Task Append_Concurrently_KeepsOneUnbrokenChain()
    {
        var log = await NewLogAsync();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var appenders = Enumerable.Range(1, 200).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await log.AppendAsync(NewEvent(i));
        })).ToList();

        start.SetResult();
        var appended = await Task.WhenAll(appenders);

        appended.Select(r => r.Sequence).Should().BeEquivalentTo(Enumerable.Range(1, 200).Select(i => (long)i));
        var read = await ReadAsync(log);
        read.Select(r => r.Sequence).Should().Equal(Enumerable.Range(1, 200).Select(i => (long)i));
        read.Select(r => r.Hash).Should().Equal(appended.OrderBy(r => r.Sequence).Select(r => r.Hash), "each append returns the record as stored");
        read.Select(r => r.Event.Target).Should().BeEquivalentTo(Enumerable.Range(1, 200).Select(i => "openai/key-" + i), "every event is stored once");
        var result = await log.VerifyAsync();
        result.IsValid.Should().BeTrue(result.Message);
        result.RecordsChecked.Should().Be(200);
    }

    [ConformanceFact]
    public async Task Events_EveryField_RoundTrip()
    {
        var log = await NewLogAsync();
        AuditEvent[] events =
        [
            new()
            {
                Actor = "alice@example.com",
                Action = AuditAction.KeyReveal,
                Target = "openai/prod",
                Timestamp = T0,
                IpAddress = "2001:db8::42",
                Reason = "incident INC-1234 — suspected leak ✓",
                Outcome = AuditOutcome.Success,
                Details = new Dictionary<string, string> { ["version"] = "kv_1", ["hint"] = "sk-…abcd", ["empty"] = string.Empty, ["ünïcode"] = "✓" },
            },
            new()
            {
                Actor = "system",
                Action = new AuditAction("custom.vendor-action"),
                Target = "anthropic/batch",
                Timestamp = T0 + Duration.FromDays(400) + Duration.FromTicks(10),
                Outcome = AuditOutcome.Failure,
            },
            new()
            {
                Actor = "bob",
                Action = AuditAction.AccessDenied,
                Target = string.Empty,
                Timestamp = Instant.FromUtc(1999, 12, 31, 23, 59, 59),
                IpAddress = string.Empty,
                Reason = string.Empty,
                Outcome = AuditOutcome.Denied,
                Details = new Dictionary<string, string> { ["request_id"] = "req_123" },
            },
        ];

        foreach (var auditEvent in events)
        {
            await log.AppendAsync(auditEvent);
        }

        var read = await ReadAsync(log);
        read.Should().HaveCount(events.Length);
        for (var i = 0; i < events.Length; i++)
        {
            var actual = read[i].Event;
            var expected = events[i];
            actual.Actor.Should().Be(expected.Actor, "event {0}", i + 1);
            actual.Action.Should().Be(expected.Action, "event {0}", i + 1);
            actual.Target.Should().Be(expected.Target, "event {0}", i + 1);
            actual.Timestamp.Should().Be(expected.Timestamp, "event {0}", i + 1);
            actual.IpAddress.Should().Be(expected.IpAddress, "event {0} (null and empty differ)", i + 1);
            actual.Reason.Should().Be(expected.Reason, "event {0} (null and empty differ)", i + 1);
            actual.Outcome.Should().Be(expected.Outcome, "event {0}", i + 1);
            actual.Details.Should().BeEquivalentTo(expected.Details, "the details of event {0}", i + 1);
            read[i].Hash.Should().Be(AuditChain.ComputeHash(read[i].Sequence, read[i].PreviousHash, expected));
        }

        (await log.VerifyAsync()).IsValid.Should().BeTrue();
    }

    [ConformanceTheory]
    [InlineData("append")]
    [InlineData("read")]
    [InlineData("verify")]
    public async Task Operation_CancelledToken_ThrowsOperationCanceled(string operation)
    {
        var log = await NewLogAsync();
        await AppendAsync(log, 3);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        Func<Task> act = operation switch
        {
            "append" => async () => await log.AppendAsync(NewEvent(4), cts.Token),
            "read" => async () => await ReadAsync(log, 1, cts.Token),
            "verify" => async () => await log.VerifyAsync(null, cts.Token),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "Unknown operation."),
        };

        await act.Should().ThrowAsync<OperationCanceledException>();
        (await ReadAsync(log)).Should().HaveCount(3, "a cancelled append appends nothing");
        (await log.VerifyAsync()).IsValid.Should().BeTrue();
    }

    /// <summary>Creates the log under test: empty, and a new one on every call.</summary>
    /// <returns>The log.</returns>
    protected abstract IAuditLog CreateLog();

    /// <summary>Prepares a log returned by <see cref="CreateLog"/> (for example applies a schema) before a test uses it.</summary>
    /// <param name="log">The log.</param>
    /// <returns>A task that completes when the log is ready.</returns>
    protected virtual Task InitializeLogAsync(IAuditLog log) => Task.CompletedTask;

    /// <summary>An event with every field set, different for each <paramref name="i"/>.</summary>
    /// <param name="i">The event's number.</param>
    /// <returns>The event.</returns>
    protected static AuditEvent NewEvent(int i) => new()
    {
        Actor = i % 2 == 0 ? "alice@example.com" : "system",
        Action = i % 3 == 0 ? AuditAction.KeyRotate : AuditAction.KeyVerify,
        Target = "openai/key-" + i,
        Timestamp = T0 + Duration.FromMinutes(i),
        IpAddress = "10.0.0." + (i % 250),
        Reason = "scheduled",
        Outcome = (AuditOutcome)(i % 3),
        Details = new Dictionary<string, string> { ["version"] = "kv_" + i, ["hint"] = "sk-…abcd" },
    };

    private static async Task<List<AuditRecord>> AppendAsync(IAuditLog log, int count)
    {
        var records = new List<AuditRecord>();
        for (var i = 1; i <= count; i++)
        {
            records.Add(await log.AppendAsync(NewEvent(i)));
        }

        return records;
    }

    private static async Task<List<AuditRecord>> ReadAsync(IAuditLog log, long fromSequence = 1, CancellationToken cancellationToken = default)
    {
        var records = new List<AuditRecord>();
        await foreach (var record in log.ReadAsync(fromSequence, cancellationToken))
        {
            records.Add(record);
        }

        return records;
    }

    private async Task<IAuditLog> NewLogAsync()
    {
        var log = CreateLog();
        log.Should().NotBeNull($"{GetType().Name}.{nameof(CreateLog)} must return a log");
        _logs.Add(log);
        await InitializeLogAsync(log);
        return log;
    }
}
