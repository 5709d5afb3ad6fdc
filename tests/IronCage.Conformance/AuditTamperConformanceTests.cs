using IronCage.Auditing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Conformance;

/// <summary>
/// What an attacker with write access to a SQL store's database does to its audit log, and that verification reports
/// each with the first bad sequence. Subclass it with a log over a fresh database and a way to run SQL on that
/// database; <see cref="BypassAppendOnlyAsync"/> removes the store's triggers as such an attacker would.
/// </summary>
public abstract class AuditTamperConformanceTests : IAsyncLifetime
{
    private const int Records = 6;
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 1, 9, 0, 5) + Duration.FromTicks(6_543_210);
    private static readonly byte[] CheckpointKey = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
    private readonly List<IAuditLog> _logs = [];

    /// <summary>The tamper cases: a name, the SQL that does it given the records as appended, and what verification must report.</summary>
    public static TheoryData<string> Cases => [.. TamperCases.Keys];

    private static Dictionary<string, (Func<AuditTamperConformanceTests, TamperContext, string> Sql, long FirstBad, AuditTamperKind Kind)> TamperCases { get; } = new()
    {
        ["edit event (actor)"] = ((_, _) => "UPDATE ironcage_audit SET event = replace(event, 'openai/key-3', 'openai/key-9') WHERE sequence = 3;", 3, AuditTamperKind.Modified),
        ["edit event (timestamp by 1 ns)"] = ((_, _) => "UPDATE ironcage_audit SET event = replace(event, '321Z\"', '321001Z\"') WHERE sequence = 3;", 3, AuditTamperKind.Modified),
        ["edit event (not JSON)"] = ((_, _) => "UPDATE ironcage_audit SET event = '{not json' WHERE sequence = 3;", 3, AuditTamperKind.Unreadable),
        ["edit event (JSON of another shape)"] = ((_, _) => "UPDATE ironcage_audit SET event = '{\"timestamp\":\"yesterday\"}' WHERE sequence = 3;", 3, AuditTamperKind.Unreadable),
        ["edit previous_hash"] = ((_, c) => $"UPDATE ironcage_audit SET previous_hash = '{c.Records[0].Hash}' WHERE sequence = 3;", 3, AuditTamperKind.BrokenLink),
        ["edit hash"] = ((_, _) => $"UPDATE ironcage_audit SET hash = '{new string('a', 64)}' WHERE sequence = 3;", 3, AuditTamperKind.Modified),
        ["edit sequence"] = ((_, _) => "UPDATE ironcage_audit SET sequence = 30 WHERE sequence = 3;", 3, AuditTamperKind.Missing),
        ["delete one in the middle"] = ((_, _) => "DELETE FROM ironcage_audit WHERE sequence = 3;", 3, AuditTamperKind.Missing),
        ["truncate head (delete the first two)"] = ((_, _) => "DELETE FROM ironcage_audit WHERE sequence <= 2;", 1, AuditTamperKind.Missing),
        ["truncate middle (delete 3 and 4)"] = ((_, _) => "DELETE FROM ironcage_audit WHERE sequence IN (3, 4);", 3, AuditTamperKind.Missing),
        ["truncate tail (delete the last two)"] = ((_, _) => "DELETE FROM ironcage_audit WHERE sequence >= 5;", 5, AuditTamperKind.Missing),
        ["truncate all (delete every row)"] = ((_, _) => "DELETE FROM ironcage_audit;", 1, AuditTamperKind.Missing),
        ["truncate statement"] = ((t, _) => t.TruncateStatement, 1, AuditTamperKind.Missing),
        ["reorder (swap 3 and 4)"] = ((_, _) => """
            UPDATE ironcage_audit SET sequence = -sequence WHERE sequence IN (3, 4);
            UPDATE ironcage_audit SET sequence = CASE WHEN sequence = -3 THEN 4 ELSE 3 END WHERE sequence < 0;
            """, 3, AuditTamperKind.BrokenLink),
        ["insert in the middle (a copy of 3 at 4, the rest renumbered)"] = ((_, _) => """
            UPDATE ironcage_audit SET sequence = -(sequence + 1) WHERE sequence >= 4;
            UPDATE ironcage_audit SET sequence = -sequence WHERE sequence < 0;
            INSERT INTO ironcage_audit (sequence, event, previous_hash, hash) SELECT 4, event, previous_hash, hash FROM ironcage_audit WHERE sequence = 3;
            """, 4, AuditTamperKind.BrokenLink),
        ["insert at the end (a forged hash)"] = ((_, c) => $"INSERT INTO ironcage_audit (sequence, event, previous_hash, hash) SELECT 7, event, '{c.Records[^1].Hash}', '{new string('b', 64)}' FROM ironcage_audit WHERE sequence = 6;", 7, AuditTamperKind.Modified),
        ["insert at the end (a well-formed record the head does not know)"] = ((_, c) => Forged(c), 7, AuditTamperKind.Inserted),
    };

    /// <summary>Gets the statement that empties the audit table at once (<c>TRUNCATE</c>, or SQLite's truncate optimisation of an unqualified <c>DELETE</c>).</summary>
    protected abstract string TruncateStatement { get; }

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual Task DisposeAsync()
    {
        foreach (var log in _logs)
        {
            (log as IDisposable)?.Dispose();
        }

        return Task.CompletedTask;
    }

    [ConformanceTheory]
    [MemberData(nameof(Cases))]
    public async Task Verify_TamperedLog_ReportsTheFirstBadSequence(string tamperCase)
    {
        var (log, records) = await NewLogWithRecordsAsync();
        (await log.VerifyAsync()).IsValid.Should().BeTrue("the log is intact before the attack");
        var (sql, firstBad, kind) = TamperCases[tamperCase];

        var context = new TamperContext(records, await QueryTextAsync($"SELECT event FROM ironcage_audit WHERE sequence = {Records};"));

        await BypassAppendOnlyAsync();
        await ExecuteAsync(sql(this, context));
        var result = await log.VerifyAsync();

        result.IsValid.Should().BeFalse(result.Message);
        result.FirstInvalidSequence.Should().Be(firstBad, result.Message);
        result.Tamper.Should().Be(kind, result.Message);
    }

    [ConformanceTheory]
    [InlineData("UPDATE ironcage_audit SET hash = 'x' WHERE sequence = 2;")]
    [InlineData("DELETE FROM ironcage_audit WHERE sequence = 6;")]
    [InlineData("DELETE FROM ironcage_audit;")]
    [InlineData("UPDATE ironcage_audit_head SET sequence = 4;")]
    [InlineData("DELETE FROM ironcage_audit_head;")]
    public async Task Tamper_WithTheStoresTriggersInPlace_IsRefused(string sql)
    {
        var (log, _) = await NewLogWithRecordsAsync();

        var act = () => ExecuteAsync(sql);

        await act.Should().ThrowAsync<Exception>("the store's triggers refuse it");
        (await log.VerifyAsync()).IsValid.Should().BeTrue();
    }

    [ConformanceFact]
    public async Task TruncateStatement_WithTheStoresTriggersInPlace_IsRefused()
    {
        var (log, _) = await NewLogWithRecordsAsync();

        var act = () => ExecuteAsync(TruncateStatement);

        await act.Should().ThrowAsync<Exception>();
        (await log.VerifyAsync()).RecordsChecked.Should().Be(Records);
    }

    [ConformanceFact]
    public async Task Append_AfterATailCut_NeverReusesASequence_SoTheCutStaysReported()
    {
        var (log, _) = await NewLogWithRecordsAsync();
        await BypassAppendOnlyAsync();
        await ExecuteAsync("DELETE FROM ironcage_audit WHERE sequence >= 5;");

        var next = await log.AppendAsync(Event(7));
        var result = await log.VerifyAsync();

        next.Sequence.Should().Be(Records + 1);
        result.IsValid.Should().BeFalse();
        result.FirstInvalidSequence.Should().Be(5);
        result.Tamper.Should().Be(AuditTamperKind.Missing);
    }

    [ConformanceFact]
    public async Task Verify_TailCutWithTheHeadRowSetBack_IsCaughtOnlyByAnExportedCheckpoint()
    {
        var (log, _) = await NewLogWithRecordsAsync();
        var folder = Path.Combine(Path.GetTempPath(), "ironcage-checkpoints", Guid.NewGuid().ToString("N"));
        var exporter = NewExporter(log, Path.Combine(folder, "audit.checkpoints"));
        try
        {
            var exported = await exporter.ExportAsync();
            exported!.Checkpoint.Sequence.Should().Be(Records);
            await BypassAppendOnlyAsync();

            // The thorough attacker: cut the tail and set the head row back to the new end.
            await ExecuteAsync("DELETE FROM ironcage_audit WHERE sequence >= 5;");
            await ExecuteAsync("UPDATE ironcage_audit_head SET sequence = 4, hash = (SELECT hash FROM ironcage_audit WHERE sequence = 4);");

            (await log.VerifyAsync()).IsValid.Should().BeTrue("nothing inside the database still knows the real end");
            var result = await exporter.VerifyAsync();
            result.IsValid.Should().BeFalse();
            result.FirstInvalidSequence.Should().Be(5);
            result.Tamper.Should().Be(AuditTamperKind.Missing);
            (await exporter.ExportAsync()).Should().BeNull("a checkpoint never vouches for a chain that failed");
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [ConformanceFact]
    public async Task Verify_WholeLogRewrittenConsistently_IsCaughtByAnExportedCheckpoint()
    {
        var (log, records) = await NewLogWithRecordsAsync();
        var checkpoint = new AuditCheckpointAuthenticator("test", CheckpointKey).Authenticate(new AuditCheckpoint(Records, records[^1].Hash), T0);
        await BypassAppendOnlyAsync();
        var rewritten = new List<AuditRecord>();
        for (var i = 1; i <= Records; i++)
        {
            rewritten.Add(AuditChain.Next(rewritten.Count == 0 ? null : rewritten[^1], Event(i) with { Reason = "rewritten" }));
        }

        var json = await ReadEventJsonAsync(records);
        var sql = string.Concat(rewritten.Select((r, i) => $"UPDATE ironcage_audit SET event = '{json[i].Replace("scheduled", "rewritten", StringComparison.Ordinal)}', previous_hash = '{r.PreviousHash}', hash = '{r.Hash}' WHERE sequence = {r.Sequence};\n"));
        await ExecuteAsync(sql + $"UPDATE ironcage_audit_head SET hash = '{rewritten[^1].Hash}';");

        (await log.VerifyAsync()).IsValid.Should().BeTrue("an unkeyed chain rewritten consistently verifies on its own");
        var result = await log.VerifyAsync(checkpoint, new AuditCheckpointAuthenticator("test", CheckpointKey));
        result.IsValid.Should().BeFalse();
        result.FirstInvalidSequence.Should().Be(Records);
        result.Tamper.Should().Be(AuditTamperKind.Modified);
    }

    [ConformanceFact]
    public async Task Verify_ForgedCheckpoint_IsRefused()
    {
        var (log, records) = await NewLogWithRecordsAsync();
        var genuine = new AuditCheckpointAuthenticator("test", CheckpointKey).Authenticate(new AuditCheckpoint(Records, records[^1].Hash), T0);
        var forged = genuine with { Checkpoint = new AuditCheckpoint(4, records[3].Hash) };

        var act = async () => await log.VerifyAsync(forged, new AuditCheckpointAuthenticator("test", CheckpointKey));

        (await act.Should().ThrowAsync<AuditCheckpointException>()).Which.Sequence.Should().Be(4);
    }

    /// <summary>Creates the log under test over a fresh database: a new one on every call.</summary>
    /// <returns>The log.</returns>
    protected abstract IAuditLog CreateLog();

    /// <summary>Runs SQL on the database of the log <see cref="CreateLog"/> last returned, outside the store.</summary>
    /// <param name="sql">The statements.</param>
    /// <returns>A task that completes when they ran.</returns>
    protected abstract Task ExecuteAsync(string sql);

    /// <summary>Reads one column of one row, outside the store.</summary>
    /// <param name="sql">A query of one text value.</param>
    /// <returns>The value.</returns>
    protected abstract Task<string> QueryTextAsync(string sql);

    /// <summary>Removes (or disables) the store's append-only triggers, as an attacker with DDL rights would.</summary>
    /// <returns>A task that completes when they are gone.</returns>
    protected abstract Task BypassAppendOnlyAsync();

    private static string Forged(TamperContext context)
    {
        // Record 7 as IronCage would append it (event, link and hash all right), written behind the store's back.
        var forged = AuditChain.Next(context.Records[^1], Event(7));
        var json = context.LastEventJson
            .Replace("openai/key-6", "openai/key-7", StringComparison.Ordinal)
            .Replace("10.0.0.6", "10.0.0.7", StringComparison.Ordinal)
            .Replace("kv_6", "kv_7", StringComparison.Ordinal)
            .Replace(NodaTime.Text.InstantPattern.ExtendedIso.Format(Event(6).Timestamp), NodaTime.Text.InstantPattern.ExtendedIso.Format(Event(7).Timestamp), StringComparison.Ordinal);
        return $"INSERT INTO ironcage_audit (sequence, event, previous_hash, hash) VALUES (7, '{json}', '{forged.PreviousHash}', '{forged.Hash}');";
    }

    private static AuditEvent Event(int i) => new()
    {
        Actor = "system",
        Action = AuditAction.KeyVerify,
        Target = "openai/key-" + i,
        Timestamp = T0 + Duration.FromMinutes(i),
        IpAddress = "10.0.0." + i,
        Reason = "scheduled",
        Outcome = AuditOutcome.Failure,
        Details = new Dictionary<string, string> { ["version"] = "kv_" + i, ["hint"] = "sk-…abcd" },
    };

    private static AuditCheckpointExporter NewExporter(IAuditLog log, string path)
        => new(
            log,
            new FileAuditCheckpointSink(path),
            new AuditCheckpointAuthenticator("test", CheckpointKey),
            Options.Create(new AuditCheckpointExportOptions { FilePath = path }),
            TimeProvider.System,
            NullLogger<AuditCheckpointExporter>.Instance);

    private async Task<List<string>> ReadEventJsonAsync(IReadOnlyList<AuditRecord> records)
    {
        var json = new List<string>();
        foreach (var record in records)
        {
            json.Add(await QueryTextAsync($"SELECT event FROM ironcage_audit WHERE sequence = {record.Sequence};"));
        }

        return json;
    }

    private async Task<(IAuditLog Log, List<AuditRecord> Records)> NewLogWithRecordsAsync()
    {
        var log = CreateLog();
        _logs.Add(log);
        var records = new List<AuditRecord>();
        for (var i = 1; i <= Records; i++)
        {
            records.Add(await log.AppendAsync(Event(i)));
        }

        return (log, records);
    }

    /// <summary>What a tamper case may use: the records as appended, and the last record's stored event.</summary>
    /// <param name="Records">The records.</param>
    /// <param name="LastEventJson">The stored event of the last record.</param>
    public sealed record TamperContext(IReadOnlyList<AuditRecord> Records, string LastEventJson);
}
