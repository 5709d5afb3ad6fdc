using NodaTime;

namespace IronCage.Core.Tests.Auditing;

public sealed class AuditChainTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 1, 9, 0);

    private static AuditEvent Event(int i, string? reason = null) => new()
    {
        Actor = i % 2 == 0 ? "alice@example.com" : "system",
        Action = i % 3 == 0 ? AuditAction.KeyRotate : AuditAction.KeyVerify,
        Target = "openai/prod",
        Timestamp = T0 + Duration.FromMinutes(i),
        IpAddress = "10.0.0." + i,
        Reason = reason ?? "scheduled",
        Details = new Dictionary<string, string> { ["version"] = "kv_" + i, ["hint"] = "sk-…abcd" },
    };

    private static async Task<(InMemoryAuditLog Log, List<AuditRecord> Records)> LogWith(int count)
    {
        var log = new InMemoryAuditLog();
        for (var i = 1; i <= count; i++)
        {
            await log.AppendAsync(Event(i));
        }

        var records = new List<AuditRecord>();
        await foreach (var record in log.ReadAsync())
        {
            records.Add(record);
        }

        return (log, records);
    }

    [Fact]
    public async Task Append_ChainsRecords()
    {
        var (log, records) = await LogWith(5);

        records.Select(r => r.Sequence).Should().Equal(1, 2, 3, 4, 5);
        records[0].PreviousHash.Should().Be(AuditChain.GenesisHash);
        for (var i = 1; i < records.Count; i++)
        {
            records[i].PreviousHash.Should().Be(records[i - 1].Hash);
        }

        records.Select(r => r.Hash).Should().OnlyHaveUniqueItems().And.AllSatisfy(h => h.Should().MatchRegex("^[0-9a-f]{64}$"));
        var result = await log.VerifyAsync();
        result.IsValid.Should().BeTrue(result.Message);
        result.RecordsChecked.Should().Be(5);
        result.Head.Should().Be(new AuditCheckpoint(5, records[^1].Hash));
    }

    [Fact]
    public void Verify_EmptyLog_IsValid()
    {
        AuditChain.Verify([]).IsValid.Should().BeTrue();
    }

    [Theory]
    [InlineData("actor")]
    [InlineData("action")]
    [InlineData("target")]
    [InlineData("timestamp")]
    [InlineData("ip")]
    [InlineData("reason")]
    [InlineData("outcome")]
    [InlineData("details")]
    public async Task Verify_EditedField_ReportsModifiedAtThatRecord(string field)
    {
        var (_, records) = await LogWith(6);
        var original = records[3].Event;
        var edited = field switch
        {
            "actor" => original with { Actor = "mallory" },
            "action" => original with { Action = AuditAction.KeyReveal },
            "target" => original with { Target = "openai/staging" },
            "timestamp" => original with { Timestamp = original.Timestamp + Duration.FromSeconds(1) },
            "ip" => original with { IpAddress = "10.6.6.6" },
            "reason" => original with { Reason = null },
            "outcome" => original with { Outcome = AuditOutcome.Denied },
            _ => original with { Details = new Dictionary<string, string> { ["version"] = "kv_4" } },
        };
        records[3] = records[3] with { Event = edited };

        var result = AuditChain.Verify(records);

        result.IsValid.Should().BeFalse();
        result.Tamper.Should().Be(AuditTamperKind.Modified);
        result.FirstInvalidSequence.Should().Be(4);
        result.Message.Should().Contain("record 4");
    }

    [Fact]
    public async Task Verify_EditedAndRehashed_BreaksTheNextLink()
    {
        var (_, records) = await LogWith(6);
        var forged = records[2].Event with { Actor = "mallory" };
        records[2] = records[2] with { Event = forged, Hash = AuditChain.ComputeHash(3, records[2].PreviousHash, forged) };

        var result = AuditChain.Verify(records);

        result.Tamper.Should().Be(AuditTamperKind.BrokenLink);
        result.FirstInvalidSequence.Should().Be(4);
    }

    [Fact]
    public async Task Verify_DeletedRecord_ReportsMissing()
    {
        var (_, records) = await LogWith(6);
        records.RemoveAt(2);

        var result = AuditChain.Verify(records);

        result.Tamper.Should().Be(AuditTamperKind.Missing);
        result.FirstInvalidSequence.Should().Be(3);
        result.RecordsChecked.Should().Be(2);
    }

    [Fact]
    public async Task Verify_SwappedRecords_ReportsReordered()
    {
        var (_, records) = await LogWith(6);
        (records[2], records[3]) = (records[3], records[2]);

        var result = AuditChain.Verify(records);

        result.Tamper.Should().Be(AuditTamperKind.Reordered);
        result.FirstInvalidSequence.Should().Be(3);
    }

    [Fact]
    public async Task Verify_RenumberedAfterDelete_ReportsBrokenLink()
    {
        var (_, records) = await LogWith(5);
        records.RemoveAt(1);
        for (var i = 1; i < records.Count; i++)
        {
            records[i] = records[i] with { Sequence = i + 1 };
        }

        AuditChain.Verify(records).Tamper.Should().Be(AuditTamperKind.BrokenLink);
    }

    [Fact]
    public async Task Verify_TruncatedTail_IsCaughtOnlyWithACheckpoint()
    {
        var (log, records) = await LogWith(6);
        var checkpoint = (await log.VerifyAsync()).Head!.Value;
        var truncated = records.Take(4).ToList();

        AuditChain.Verify(truncated).IsValid.Should().BeTrue("a chain cannot know its own end");
        var result = AuditChain.Verify(truncated, checkpoint);
        result.Tamper.Should().Be(AuditTamperKind.Missing);
        result.FirstInvalidSequence.Should().Be(5);
    }

    [Fact]
    public async Task Verify_ChainRewrittenFromTheStart_IsCaughtByACheckpoint()
    {
        var (log, records) = await LogWith(4);
        var checkpoint = (await log.VerifyAsync()).Head!.Value;

        var rewritten = new List<AuditRecord>();
        AuditRecord? previous = null;
        foreach (var record in records)
        {
            previous = AuditChain.Next(previous, record.Event with { Actor = "mallory" });
            rewritten.Add(previous);
        }

        AuditChain.Verify(rewritten).IsValid.Should().BeTrue();
        AuditChain.Verify(rewritten, checkpoint).Tamper.Should().Be(AuditTamperKind.Modified);
    }

    [Fact]
    public void ComputeHash_DistinguishesNullFromEmptyAndFieldBoundaries()
    {
        var baseEvent = Event(1);
        var withNull = AuditChain.ComputeHash(1, AuditChain.GenesisHash, baseEvent with { Reason = null });
        var withEmpty = AuditChain.ComputeHash(1, AuditChain.GenesisHash, baseEvent with { Reason = string.Empty });
        withNull.Should().NotBe(withEmpty);

        var a = AuditChain.ComputeHash(1, AuditChain.GenesisHash, baseEvent with { Actor = "ab", Target = "c" });
        var b = AuditChain.ComputeHash(1, AuditChain.GenesisHash, baseEvent with { Actor = "a", Target = "bc" });
        a.Should().NotBe(b);
    }

    [Fact]
    public async Task Append_Concurrently_KeepsOneUnbrokenChain()
    {
        var log = new InMemoryAuditLog();
        await Task.WhenAll(Enumerable.Range(1, 200).Select(i => Task.Run(async () => await log.AppendAsync(Event(i)))));

        var result = await log.VerifyAsync();
        result.IsValid.Should().BeTrue(result.Message);
        result.RecordsChecked.Should().Be(200);
    }

    [Fact]
    public async Task ReadAsync_FromSequence_SkipsEarlierRecords()
    {
        var (log, _) = await LogWith(5);
        var sequences = new List<long>();
        await foreach (var record in log.ReadAsync(fromSequence: 4))
        {
            sequences.Add(record.Sequence);
        }

        sequences.Should().Equal(4, 5);
    }
}

public sealed class AuditChainDuplicateTests
{
    [Fact]
    public async Task Verify_DuplicatedRecord_IsReportedAsDuplicated()
    {
        var log = new InMemoryAuditLog();
        for (var i = 0; i < 4; i++)
        {
            await log.AppendAsync(new AuditEvent { Actor = "system", Action = AuditAction.KeyVerify, Target = "openai/prod", Timestamp = NodaTime.Instant.FromUnixTimeSeconds(1_800_000_000 + i) });
        }

        var records = new List<AuditRecord>();
        await foreach (var record in log.ReadAsync())
        {
            records.Add(record);
        }

        records.Insert(2, records[1]);
        var result = AuditChain.Verify(records);
        result.Tamper.Should().Be(AuditTamperKind.Duplicated);
        result.FirstInvalidSequence.Should().Be(2);
    }
}
