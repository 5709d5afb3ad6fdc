using IronCage.Auditing;
using IronCage.Encryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NodaTime;

namespace IronCage.Core.Tests.Auditing;

public sealed class AuditCheckpointTests : IDisposable
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 1, 9, 0);
    private static readonly byte[] Key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "ironcage-core-checkpoints", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void ComputeHash_TimestampsThatDifferBelowATick_HashDifferently()
    {
        var at = new AuditEvent { Actor = "system", Action = AuditAction.KeyVerify, Target = "openai/prod", Timestamp = T0 };
        var oneNanosecondLater = at with { Timestamp = T0 + Duration.FromNanoseconds(1) };

        AuditChain.ComputeHash(1, AuditChain.GenesisHash, oneNanosecondLater).Should().NotBe(AuditChain.ComputeHash(1, AuditChain.GenesisHash, at));
    }

    [Fact]
    public void ComputeHash_TickPreciseTimestamp_HashesAsChainsAlwaysDid()
    {
        // A hash computed by the v1 format before sub-tick nanoseconds were hashed: stored chains keep verifying.
        var at = new AuditEvent { Actor = "system", Action = AuditAction.KeyVerify, Target = "openai/prod", Timestamp = T0 };

        AuditChain.ComputeHash(1, AuditChain.GenesisHash, at).Should().Be(LegacyHash(at));
    }

    [Fact]
    public void IsAuthentic_CheckpointAsMade_IsTrue_AndAnyChangedFieldIsFalse()
    {
        var authenticator = new AuditCheckpointAuthenticator("test", Key);
        var checkpoint = authenticator.Authenticate(new AuditCheckpoint(6, new string('a', 64)), T0);

        authenticator.IsAuthentic(checkpoint).Should().BeTrue();
        authenticator.IsAuthentic(checkpoint with { Checkpoint = new AuditCheckpoint(5, new string('a', 64)) }).Should().BeFalse();
        authenticator.IsAuthentic(checkpoint with { Checkpoint = new AuditCheckpoint(6, new string('b', 64)) }).Should().BeFalse();
        authenticator.IsAuthentic(checkpoint with { TakenAt = T0 + Duration.FromNanoseconds(1) }).Should().BeFalse();
        authenticator.IsAuthentic(checkpoint with { KeyId = "other" }).Should().BeFalse();
        new AuditCheckpointAuthenticator("test", [.. Key.Reverse()]).IsAuthentic(checkpoint).Should().BeFalse("another key made it");
    }

    [Fact]
    public void Authenticate_FromTheMasterKey_IsAcceptedByAnotherHostWithTheSameMasterKey_NotByOneWithAnother()
    {
        var masterKey = LocalMasterKeyProvider.GenerateMasterKey();
        using var first = new LocalMasterKeyProvider(Options.Create(new LocalMasterKeyOptions { MasterKey = masterKey }));
        using var second = new LocalMasterKeyProvider(Options.Create(new LocalMasterKeyOptions { MasterKey = masterKey }));
        using var other = new LocalMasterKeyProvider(Options.Create(new LocalMasterKeyOptions { MasterKey = LocalMasterKeyProvider.GenerateMasterKey() }));

        var checkpoint = new AuditCheckpointAuthenticator(first).Authenticate(new AuditCheckpoint(3, new string('c', 64)), T0);

        new AuditCheckpointAuthenticator(second).IsAuthentic(checkpoint).Should().BeTrue();
        new AuditCheckpointAuthenticator(other).IsAuthentic(checkpoint).Should().BeFalse();
    }

    [Fact]
    public async Task FileSink_WritesOneLinePerCheckpoint_AndReadsTheLatestBack()
    {
        var path = Path.Combine(_folder, "nested", "audit.checkpoints");
        var sink = new FileAuditCheckpointSink(path);
        var authenticator = new AuditCheckpointAuthenticator("test", Key);

        (await sink.ReadLatestAsync()).Should().BeNull();
        await sink.WriteAsync(authenticator.Authenticate(new AuditCheckpoint(1, new string('a', 64)), T0));
        var latest = authenticator.Authenticate(new AuditCheckpoint(2, new string('b', 64)), T0 + Duration.FromNanoseconds(150));
        await sink.WriteAsync(latest);

        (await sink.ReadLatestAsync()).Should().Be(latest);
        (await File.ReadAllLinesAsync(path)).Should().HaveCount(2);
    }

    [Fact]
    public async Task FileSink_LastLineNotACheckpoint_ThrowsAnErrorNamingTheFile()
    {
        var path = Path.Combine(_folder, "audit.checkpoints");
        Directory.CreateDirectory(_folder);
        await File.WriteAllTextAsync(path, "{\"sequence\":\"six\"}\n");

        var act = async () => await new FileAuditCheckpointSink(path).ReadLatestAsync();

        (await act.Should().ThrowAsync<IronCageException>()).Which.Message.Should().Contain(path);
    }

    [Fact]
    public async Task Export_InMemoryLog_TailCutBelowTheCheckpointIsReported()
    {
        var log = new InMemoryAuditLog();
        for (var i = 1; i <= 4; i++)
        {
            await log.AppendAsync(new AuditEvent { Actor = "system", Action = AuditAction.KeyVerify, Target = "openai/key-" + i, Timestamp = T0 + Duration.FromMinutes(i) });
        }

        var exporter = Exporter(log, out var sink);
        var exported = await exporter.ExportAsync();
        (await exporter.ExportAsync()).Should().Be(exported, "nothing was appended since: the latest checkpoint stands");
        await log.AppendAsync(new AuditEvent { Actor = "system", Action = AuditAction.KeyVerify, Target = "openai/key-5", Timestamp = T0 + Duration.FromMinutes(5) });

        // The same records but the last two: what a cut tail looks like to a reader.
        var cut = new InMemoryAuditLog();
        await foreach (var record in log.ReadAsync())
        {
            if (record.Sequence <= 3)
            {
                await cut.AppendAsync(record.Event);
            }
        }

        var result = await cut.VerifyAsync(await sink.ReadLatestAsync(), new AuditCheckpointAuthenticator("test", Key));

        exported!.Checkpoint.Sequence.Should().Be(4);
        result.IsValid.Should().BeFalse();
        result.FirstInvalidSequence.Should().Be(4);
        result.Tamper.Should().Be(AuditTamperKind.Missing);
        (await exporter.VerifyAsync()).IsValid.Should().BeTrue("the log itself grew past the checkpoint, intact");
    }

    [Fact]
    public async Task AddAuditCheckpointExport_HostStart_ExportsTheHeadToTheFile()
    {
        var path = Path.Combine(_folder, "audit.checkpoints");
        var services = new ServiceCollection();
        services.AddIronCage()
            .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
            .AddAuditCheckpointExport(o => o.FilePath = path);
        await using var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IAuditLog>().AppendAsync(new AuditEvent { Actor = "system", Action = AuditAction.KeyCreate, Target = "openai/prod", Timestamp = T0 });
        var hosted = provider.GetServices<IHostedService>().OfType<AuditCheckpointExporter>().Single();

        await hosted.StartAsync(CancellationToken.None);
        AuthenticatedAuditCheckpoint? latest = null;
        for (var attempt = 0; attempt < 200 && latest is null; attempt++)
        {
            latest = File.Exists(path) ? await provider.GetRequiredService<IAuditCheckpointSink>().ReadLatestAsync() : null;
            await Task.Delay(25);
        }

        await hosted.StopAsync(CancellationToken.None);

        latest.Should().NotBeNull("the first export runs at start");
        latest!.Checkpoint.Sequence.Should().Be(1);
        provider.GetRequiredService<AuditCheckpointAuthenticator>().IsAuthentic(latest).Should().BeTrue();
    }

    [Theory]
    [InlineData(0.5, "/tmp/x", "Interval")]
    [InlineData(172800, "/tmp/x", "Interval")]
    [InlineData(60, " ", "FilePath")]
    public void AddAuditCheckpointExport_InvalidOptions_FailAtStart(double intervalSeconds, string path, string named)
    {
        var services = new ServiceCollection();
        services.AddIronCage()
            .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
            .AddAuditCheckpointExport(o =>
            {
                o.Interval = TimeSpan.FromSeconds(intervalSeconds);
                o.FilePath = path;
            });
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<IOptions<AuditCheckpointExportOptions>>().Value;

        act.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain(named);
    }

    [Fact]
    public void AddAuditCheckpointExport_NoFileAndNoSink_FailsWhenTheExporterIsBuilt()
    {
        var services = new ServiceCollection();
        services.AddIronCage()
            .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
            .AddAuditCheckpointExport(_ => { });
        using var provider = services.BuildServiceProvider();

        var act = () => provider.GetRequiredService<AuditCheckpointExporter>();

        act.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("FilePath").And.Contain("IAuditCheckpointSink");
    }

    private static string LegacyHash(AuditEvent at)
    {
        // The v1 encoding with the timestamp as unix ticks only, as AuditChain computed it before.
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        void Append(string? value)
        {
            Span<byte> length = stackalloc byte[5];
            if (value is null)
            {
                length[0] = 0;
                hash.AppendData(length);
                return;
            }

            var bytes = System.Text.Encoding.UTF8.GetBytes(value);
            length[0] = 1;
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length[1..], bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }

        Append("IronCage.Audit.v1");
        Append("1");
        Append(AuditChain.GenesisHash);
        Append(at.Timestamp.ToUnixTimeTicks().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Append(at.Actor);
        Append(at.Action.Value);
        Append(at.Target);
        Append(at.IpAddress);
        Append(at.Reason);
        Append("success");
        Append("0");
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    private static AuditCheckpointExporter Exporter(IAuditLog log, out IAuditCheckpointSink sink)
    {
        sink = new MemorySink();
        return new AuditCheckpointExporter(log, sink, new AuditCheckpointAuthenticator("test", Key), Options.Create(new AuditCheckpointExportOptions()), new FakeTimeProvider(T0.ToDateTimeOffset()), NullLogger<AuditCheckpointExporter>.Instance);
    }

    private sealed class MemorySink : IAuditCheckpointSink
    {
        private AuthenticatedAuditCheckpoint? _latest;

        public ValueTask WriteAsync(AuthenticatedAuditCheckpoint checkpoint, CancellationToken cancellationToken = default)
        {
            _latest = checkpoint;
            return ValueTask.CompletedTask;
        }

        public ValueTask<AuthenticatedAuditCheckpoint?> ReadLatestAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(_latest);
    }
}
