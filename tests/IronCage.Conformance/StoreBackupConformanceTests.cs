using System.Text;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Rotation;
using IronCage.Storage;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Conformance;

/// <summary>
/// Backup and restore through <see cref="IKeyStoreBackup"/>: a store with keys in every state (rotated and revoked,
/// killed, in a grace period, with policies and limits) is exported from one database and restored into another, where
/// every key, version and operation is as it was, every secret opens with its fingerprint matching, the rows' seals hold
/// (a fresh host reads them), and the restored host finishes the grace period and rotates. A changed, cut or reordered
/// file, a missing KEK or a non-empty store is refused with <see cref="StoreBackupException"/> and the target stays empty.
/// Subclass it and implement <see cref="Persist"/>: each database number is its own fresh database for the fact;
/// <see cref="PersistSource"/> may put database 0 on another kind of store (SQLite to PostgreSQL).
/// </summary>
public abstract class StoreBackupConformanceTests : IAsyncLifetime
{
    private const int Source = 0;
    private const int Target = 1;
    private readonly FakeClock _clock = FakeClock.FromUtc(2026, 11, 22, 9, 0, 0);
    private readonly string _masterKey = LocalMasterKeyProvider.GenerateMasterKey();
    private readonly FakeProviderAdapter _provider;
    private readonly SecretLeakRegistry _leaks = new();
    private readonly List<ServiceProvider> _hosts = [];

    /// <summary>Initializes a new instance.</summary>
    protected StoreBackupConformanceTests() => _provider = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }

    [ConformanceFact]
    public async Task Restore_IntoAnEmptyStore_EveryKeyVersionAndOperationIsAsStoredAndEverySecretOpens()
    {
        var seeded = await SeedAsync();
        var (file, exported) = await ExportAsync();
        exported.Should().Match<StoreBackupReport>(r => r.Keys == 3 && r.Versions == 5 && r.Operations == 2 && r.AuditRecords > 0);

        var target = Host(Target);
        var report = await target.GetRequiredService<IKeyStoreBackup>().RestoreAsync(new MemoryStream(file), new StoreRestoreOptions { Actor = "ops@example.com" });

        report.Should().Match<StoreRestoreReport>(r => r.BackupId == exported.BackupId && !r.DryRun && r.Keys == 3 && r.Versions == 5 && r.Operations == 2 && r.SkippedKeys.Count == 0);
        report.SecretsVerified.Should().Be(5 + seeded.Operations.Count(o => !o.IsFinished && o.NewSecret is not null), "every version and the sealed new key of the unfinished rotation are opened before writing");

        // A fresh host on the target database: every row is read through the store, so its integrity seal is checked.
        var fresh = Host(Target);
        var keys = fresh.GetRequiredService<IKeyStore>();
        var protector = fresh.GetRequiredService<ISecretProtector>();
        var fingerprinter = fresh.GetRequiredService<ISecretFingerprinter>();
        foreach (var original in seeded.Keys)
        {
            var restored = await keys.GetAsync(original.Reference);
            restored.Should().BeEquivalentTo(original, o => o.Excluding(k => k.ConcurrencyToken).ComparingByMembers<EncryptedSecret>().Using<ReadOnlyMemory<byte>>(c => c.Subject.ToArray().Should().Equal(c.Expectation.ToArray())).WhenTypeIs<ReadOnlyMemory<byte>>());
            foreach (var version in restored.Versions)
            {
                using var opened = await protector.OpenAsync(version.Secret, new SecretBinding(restored.Reference, version.VersionId));
                fingerprinter.Matches(opened, version.Fingerprint).Should().BeTrue("the fingerprint key derives from the same master key");
                seeded.Plaintexts.Should().Contain(opened.Reveal());
            }
        }

        var rotations = fresh.GetRequiredService<IRotationStore>();
        foreach (var original in seeded.Operations)
        {
            var restored = await rotations.FindAsync(original.OperationId);
            restored.Should().BeEquivalentTo(original, o => o.Excluding(op => op.ConcurrencyToken).ComparingByMembers<EncryptedSecret>().Using<ReadOnlyMemory<byte>>(c => c.Subject.ToArray().Should().Equal(c.Expectation.ToArray())).WhenTypeIs<ReadOnlyMemory<byte>>());
        }

        var audit = fresh.GetRequiredService<IAuditLog>();
        (await audit.VerifyAsync()).IsValid.Should().BeTrue();
        var restores = await EventsAsync(audit, AuditAction.StoreRestore);
        var restore = restores.Should().ContainSingle().Subject;
        restore.Actor.Should().Be("ops@example.com");
        restore.Details.Should().Contain(new Dictionary<string, string> { ["backup"] = exported.BackupId, ["keys"] = "3", ["versions"] = "5", ["operations"] = "2", ["source-audit-head-hash"] = report.AuditHeadHash! });
        (await EventsAsync(Host(Source).GetRequiredService<IAuditLog>(), AuditAction.StoreBackup)).Should().ContainSingle(e => e.Details["backup"] == exported.BackupId && e.Details["keys"] == "3");
        _leaks.FindLeaks().Should().BeEmpty();
    }

    [ConformanceFact]
    public async Task Restore_RestoredHost_FinishesTheGracePeriodAndRotatesAKey()
    {
        var seeded = await SeedAsync();
        var (file, _) = await ExportAsync();
        var target = Host(Target);
        await target.GetRequiredService<IKeyStoreBackup>().RestoreAsync(new MemoryStream(file));

        var rotator = target.GetRequiredService<IKeyRotator>();
        _clock.AdvanceDays(2);
        var graced = await rotator.ResumeAsync(seeded.Operations.Single(o => !o.IsFinished).OperationId);
        graced.Step.Should().Be(RotationStep.Completed, "the restored rotation resumes where the source left it");

        var rotated = await rotator.RotateAsync(KeyReference.Parse("openai/alpha"), RotationReason.Compromised);
        rotated.Step.Should().Be(RotationStep.Completed);
        var key = await Host(Target).GetRequiredService<IKeyStore>().GetAsync(KeyReference.Parse("openai/alpha"));
        key.CurrentVersion!.VersionId.Should().Be(rotated.NewVersionId);
        key.Versions.Should().HaveCount(3);
        (await Host(Target).GetRequiredService<IAuditLog>().VerifyAsync()).IsValid.Should().BeTrue();
    }

    [ConformanceFact]
    public async Task Export_File_HoldsNoPlaintextSecret()
    {
        var seeded = await SeedAsync();
        var (file, _) = await ExportAsync();

        seeded.Plaintexts.Should().HaveCount(5);
        foreach (var plaintext in seeded.Plaintexts)
        {
            file.AsSpan().IndexOf(Encoding.UTF8.GetBytes(plaintext)).Should().Be(-1, "secrets stay sealed in a backup");
            file.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(plaintext)))).Should().Be(-1);
        }
    }

    [ConformanceFact]
    public async Task Restore_NonEmptyStore_IsRefusedUnlessMergedAndMergeSkipsExistingKeys()
    {
        await SeedAsync();
        var (file, _) = await ExportAsync();
        var target = Host(Target);
        using (var existing = FakeKeys.Generate(ProviderId.OpenAI))
        {
            var id = _provider.AddExistingKey(existing);
            await target.GetRequiredService<IKeyRotator>().RegisterAsync(new KeyRegistration { Reference = KeyReference.Parse("openai/alpha"), ProviderKeyId = id, Verify = false }, existing);
        }

        var backup = target.GetRequiredService<IKeyStoreBackup>();
        var refused = await Refused(() => backup.RestoreAsync(new MemoryStream(file)));
        refused.Problem.Should().Be(StoreBackupProblem.TargetNotEmpty);
        refused.Message.Should().Contain("--merge");
        (await KeysAsync(Target)).Should().Equal(KeyReference.Parse("openai/alpha"));

        var merged = await backup.RestoreAsync(new MemoryStream(file), new StoreRestoreOptions { Merge = true });

        merged.SkippedKeys.Should().Equal(KeyReference.Parse("openai/alpha"));
        merged.Keys.Should().Be(2);
        merged.SkippedOperations.Should().Be(1, "the finished rotation of the skipped key is skipped with it");
        (await KeysAsync(Target)).Should().HaveCount(3);
    }

    [ConformanceFact]
    public async Task Restore_DryRun_VerifiesReportsAndWritesNothing()
    {
        await SeedAsync();
        var (file, _) = await ExportAsync();
        var target = Host(Target);

        var report = await target.GetRequiredService<IKeyStoreBackup>().RestoreAsync(new MemoryStream(file), new StoreRestoreOptions { DryRun = true });

        report.Should().Match<StoreRestoreReport>(r => r.DryRun && r.Keys == 3 && r.Operations == 2 && r.SecretsVerified >= 5);
        (await KeysAsync(Target)).Should().BeEmpty();
        (await EventsAsync(target.GetRequiredService<IAuditLog>(), AuditAction.StoreRestore)).Should().BeEmpty();
    }

    [ConformanceTheory]
    [InlineData(Tamper.FlipByte, StoreBackupProblem.MacMismatch)]
    [InlineData(Tamper.DropLine, StoreBackupProblem.MacMismatch)]
    [InlineData(Tamper.SwapLines, StoreBackupProblem.MacMismatch)]
    [InlineData(Tamper.AppendLine, StoreBackupProblem.MacMismatch)]
    [InlineData(Tamper.Truncate, StoreBackupProblem.Truncated)]
    [InlineData(Tamper.HeaderKeyEncryptionKey, StoreBackupProblem.KeyEncryptionKeyUnavailable)]
    public async Task Restore_TamperedFile_FailsNamingTheProblemAndLeavesTheStoreEmpty(Tamper tamper, StoreBackupProblem problem)
    {
        await SeedAsync();
        var (file, _) = await ExportAsync();
        var tampered = Apply(tamper, file);
        var target = Host(Target);

        var refused = await Refused(() => target.GetRequiredService<IKeyStoreBackup>().RestoreAsync(new MemoryStream(tampered)));

        refused.Problem.Should().Be(problem);
        refused.Message.Should().Contain("Nothing was restored");
        (await KeysAsync(Target)).Should().BeEmpty();
        await foreach (var _ in target.GetRequiredService<IRotationStore>().ListActiveAsync())
        {
            Assert.Fail("no operation may be written from a tampered file");
        }
    }

    [ConformanceFact]
    public async Task Restore_HostWithoutTheBackupsMasterKey_FailsNamingTheKeyItNeeds()
    {
        await SeedAsync();
        var (file, exported) = await ExportAsync();
        var other = Host(Target, LocalMasterKeyProvider.GenerateMasterKey());

        var refused = await Refused(() => other.GetRequiredService<IKeyStoreBackup>().RestoreAsync(new MemoryStream(file)));

        refused.Problem.Should().Be(StoreBackupProblem.KeyEncryptionKeyUnavailable);
        refused.KeyEncryptionKeyId.Should().Be(exported.KeyEncryptionKeyId);
        refused.Message.Should().Contain(exported.KeyEncryptionKeyId).And.NotContain(_masterKey);
        (await KeysAsync(Target)).Should().BeEmpty();
    }

    /// <summary>The ways <see cref="Restore_TamperedFile_FailsNamingTheProblemAndLeavesTheStoreEmpty"/> changes a file.</summary>
    public enum Tamper
    {
        /// <summary>One byte inside a key line's ciphertext.</summary>
        FlipByte,

        /// <summary>A key line removed.</summary>
        DropLine,

        /// <summary>Two key lines swapped.</summary>
        SwapLines,

        /// <summary>A copy of a key line added after the MAC.</summary>
        AppendLine,

        /// <summary>The MAC line and the summary cut off.</summary>
        Truncate,

        /// <summary>The header names another KEK.</summary>
        HeaderKeyEncryptionKey,
    }

    /// <summary>Adds the store under test to the builder; each <paramref name="database"/> is its own fresh database for the fact.</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <param name="database">0 for the source, 1 for the target.</param>
    /// <returns>The builder.</returns>
    protected abstract IIronCageBuilder Persist(IIronCageBuilder builder, int database);

    /// <summary>Adds the store the backup is exported from (database 0); the same kind as <see cref="Persist"/> unless overridden.</summary>
    /// <param name="builder">The IronCage builder.</param>
    /// <returns>The builder.</returns>
    protected virtual IIronCageBuilder PersistSource(IIronCageBuilder builder) => Persist(builder, Source);

    private static byte[] Apply(Tamper tamper, byte[] file)
    {
        var lines = Encoding.UTF8.GetString(file).Split('\n')[..^1].ToList();
        var keyLines = lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("{\"type\":\"key\"", StringComparison.Ordinal)).Select(x => x.i).ToList();
        switch (tamper)
        {
            case Tamper.FlipByte:
                var line = lines[keyLines[0]];
                var at = line.IndexOf("\"ciphertext\":\"", StringComparison.Ordinal) + 16;
                lines[keyLines[0]] = line[..at] + (line[at] == 'A' ? 'B' : 'A') + line[(at + 1)..];
                break;
            case Tamper.DropLine:
                lines.RemoveAt(keyLines[1]);
                break;
            case Tamper.SwapLines:
                (lines[keyLines[0]], lines[keyLines[1]]) = (lines[keyLines[1]], lines[keyLines[0]]);
                break;
            case Tamper.AppendLine:
                lines.Add(lines[keyLines[0]]);
                break;
            case Tamper.Truncate:
                lines.RemoveRange(lines.Count - 2, 2);
                break;
            case Tamper.HeaderKeyEncryptionKey:
                lines[0] = System.Text.RegularExpressions.Regex.Replace(lines[0], "\"kek\":\"[^\"]+\"", "\"kek\":\"local:ffffffffffffffff\"");
                break;
        }

        return Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
    }

    private static async Task<StoreBackupException> Refused(Func<Task> restore)
        => (await restore.Should().ThrowAsync<StoreBackupException>()).Which;

    private static async Task<List<AuditEvent>> EventsAsync(IAuditLog audit, AuditAction action)
    {
        var events = new List<AuditEvent>();
        await foreach (var record in audit.ReadAsync())
        {
            if (record.Event.Action == action)
            {
                events.Add(record.Event);
            }
        }

        return events;
    }

    private async Task<List<KeyReference>> KeysAsync(int database)
    {
        var keys = new List<KeyReference>();
        await foreach (var key in Host(database).GetRequiredService<IKeyStore>().ListAsync())
        {
            keys.Add(key.Reference);
        }

        return keys;
    }

    private async Task<(byte[] File, StoreBackupReport Report)> ExportAsync()
    {
        using var file = new MemoryStream();
        var report = await Host(Source).GetRequiredService<IKeyStoreBackup>().ExportAsync(file, new StoreBackupOptions { Actor = "ops@example.com" });
        report.Bytes.Should().Be(file.Length);
        return (file.ToArray(), report);
    }

    /// <summary>
    /// alpha: rotated in an emergency (a revoked and a current version, one finished operation); bravo: its current version
    /// killed, with a policy and limits; charlie: a scheduled rotation in its grace period (an unfinished operation).
    /// </summary>
    private async Task<Seeded> SeedAsync()
    {
        var host = Host(Source);
        var rotator = host.GetRequiredService<IKeyRotator>();
        foreach (var name in new[] { "alpha", "bravo", "charlie" })
        {
            using var secret = FakeKeys.Generate(ProviderId.OpenAI);
            _leaks.RecordSecret(secret);
            var id = _provider.AddExistingKey(secret);
            await rotator.RegisterAsync(
                new KeyRegistration
                {
                    Reference = new KeyReference(ProviderId.OpenAI, name),
                    ProviderKeyId = id,
                    Verify = false,
                    Description = "backup " + name,
                    Labels = new Dictionary<string, string> { ["environment"] = "prod" },
                    Policy = new RotationPolicy { Schedule = RotationSchedule.Parse("P30D"), GracePeriod = Duration.FromHours(24) },
                    Limits = new UsageLimits { Limits = [new UsageLimit(UsageMetric.Tokens, UsageWindow.Day, 100_000m, LimitEnforcement.Soft)] },
                },
                secret);
        }

        var alpha = KeyReference.Parse("openai/alpha");
        (await rotator.RotateAsync(alpha, RotationReason.Compromised)).Step.Should().Be(RotationStep.Completed);
        var bravo = KeyReference.Parse("openai/bravo");
        await rotator.KillAsync(bravo, (await host.GetRequiredService<IKeyStore>().GetAsync(bravo)).CurrentVersion!.VersionId);
        (await rotator.RotateAsync(KeyReference.Parse("openai/charlie"), RotationReason.Scheduled)).Step.Should().Be(RotationStep.GracePeriod);

        var keys = new List<ManagedKey>();
        var plaintexts = new List<string>();
        var protector = host.GetRequiredService<ISecretProtector>();
        await foreach (var key in host.GetRequiredService<IKeyStore>().ListAsync())
        {
            keys.Add(key);
            foreach (var version in key.Versions)
            {
                using var opened = await protector.OpenAsync(version.Secret, new SecretBinding(key.Reference, version.VersionId));
                plaintexts.Add(opened.Reveal());
                _leaks.RecordSecret(opened);
            }
        }

        var operations = new List<RotationOperation>();
        foreach (var key in keys)
        {
            await foreach (var operation in host.GetRequiredService<IRotationStore>().ListForKeyAsync(key.Reference))
            {
                operations.Add(operation);
            }
        }

        return new Seeded(keys, operations, plaintexts);
    }

    private ServiceProvider Host(int database, string? masterKey = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(new SecretLeakLoggerProvider(_leaks)).SetMinimumLevel(LogLevel.Debug));
        services.AddSingleton<IClock>(_clock);
        var builder = services.AddIronCage()
            .ProtectKeysWithMasterKey(masterKey ?? _masterKey)
            .AddProviderAdapter(_provider)
            .AddRotation();
        _ = database == Source ? PersistSource(builder) : Persist(builder, database);
        var provider = services.BuildServiceProvider();
        _hosts.Add(provider);
        return provider;
    }

    private sealed record Seeded(IReadOnlyList<ManagedKey> Keys, IReadOnlyList<RotationOperation> Operations, IReadOnlyList<string> Plaintexts);
}
