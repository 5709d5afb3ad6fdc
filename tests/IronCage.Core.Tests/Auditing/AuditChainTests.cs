using IronCage.Auditing;
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

    // A chain built with AuditChain alone: storing and reading records is the logs' business, covered by the
    // audit log conformance suite.
    private static List<AuditRecord> Chain(int count)
    {
        var records = new List<AuditRecord>();
        AuditRecord? previous = null;
        for (var i = 1; i <= count; i++)
        {
            previous = AuditChain.Next(previous, Event(i));
            records.Add(previous);
        }

        return records;
    }

    [Fact]
    public void Next_ChainsFromTheGenesisHashWithLowerCaseHexHashes()
    {
        var records = Chain(5);

        records.Select(r => r.Sequence).Should().Equal(1, 2, 3, 4, 5);
        records[0].PreviousHash.Should().Be(AuditChain.GenesisHash);
        for (var i = 1; i < records.Count; i++)
        {
            records[i].PreviousHash.Should().Be(records[i - 1].Hash);
        }

        records.Select(r => r.Hash).Should().OnlyHaveUniqueItems().And.AllSatisfy(h => h.Should().MatchRegex("^[0-9a-f]{64}$"));
        var result = AuditChain.Verify(records);
        result.IsValid.Should().BeTrue(result.Message);
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
    public void Verify_EditedField_ReportsModifiedAtThatRecord(string field)
    {
        var records = Chain(6);
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
    public void Verify_EditedAndRehashed_BreaksTheNextLink()
    {
        var records = Chain(6);
        var forged = records[2].Event with { Actor = "mallory" };
        records[2] = records[2] with { Event = forged, Hash = AuditChain.ComputeHash(3, records[2].PreviousHash, forged) };

        var result = AuditChain.Verify(records);

        result.Tamper.Should().Be(AuditTamperKind.BrokenLink);
        result.FirstInvalidSequence.Should().Be(4);
    }

    [Fact]
    public void Verify_DeletedRecord_ReportsMissing()
    {
        var records = Chain(6);
        records.RemoveAt(2);

        var result = AuditChain.Verify(records);

        result.Tamper.Should().Be(AuditTamperKind.Missing);
        result.FirstInvalidSequence.Should().Be(3);
        result.RecordsChecked.Should().Be(2);
    }

    [Fact]
    public void Verify_SwappedRecords_ReportsReordered()
    {
        var records = Chain(6);
        (records[2], records[3]) = (records[3], records[2]);

        var result = AuditChain.Verify(records);

        result.Tamper.Should().Be(AuditTamperKind.Reordered);
        result.FirstInvalidSequence.Should().Be(3);
    }

    [Fact]
    public void Verify_RenumberedAfterDelete_ReportsBrokenLink()
    {
        var records = Chain(5);
        records.RemoveAt(1);
        for (var i = 1; i < records.Count; i++)
        {
            records[i] = records[i] with { Sequence = i + 1 };
        }

        AuditChain.Verify(records).Tamper.Should().Be(AuditTamperKind.BrokenLink);
    }

    [Fact]
    public void Verify_TruncatedTail_IsCaughtOnlyWithACheckpoint()
    {
        var records = Chain(6);
        var checkpoint = AuditChain.Verify(records).Head!.Value;
        var truncated = records.Take(4).ToList();

        AuditChain.Verify(truncated).IsValid.Should().BeTrue("a chain cannot know its own end");
        var result = AuditChain.Verify(truncated, checkpoint);
        result.Tamper.Should().Be(AuditTamperKind.Missing);
        result.FirstInvalidSequence.Should().Be(5);
    }

    [Fact]
    public void Verify_ChainRewrittenFromTheStart_IsCaughtByACheckpoint()
    {
        var records = Chain(4);
        var checkpoint = AuditChain.Verify(records).Head!.Value;

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
