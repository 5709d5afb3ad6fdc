using System.Security.Cryptography;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Rotation;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Storage.Sqlite.Tests;

/// <summary>
/// Steps written at the same time share SQLite transactions (group commit): one refused step is rolled back alone,
/// every other step is stored, and the audit chain holds each stored step's record once.
/// </summary>
public sealed class SqliteRotationStepGroupTests : IDisposable
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 22, 9, 30, 15);
    private readonly TempDatabase _database = new();

    [Fact]
    public async Task Write_ManyAtOnceWithOneStaleKey_RefusesOnlyThatStepAndStoresTheOthers()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).AddRotation().PersistToSqlite(_database.ConnectionString);
        await using var provider = services.BuildServiceProvider();
        var keys = provider.GetRequiredService<IKeyStore>();
        var operations = provider.GetRequiredService<IRotationStore>();
        var audit = provider.GetRequiredService<IAuditLog>();
        var steps = provider.GetRequiredService<IRotationStepStore>();
        var prepared = new List<(ManagedKey Key, RotationOperation Operation)>();
        for (var i = 0; i < 48; i++)
        {
            var key = await keys.CreateAsync(NewKey($"openai/k{i:D2}"));
            var operation = await operations.CreateAsync(NewOperation(key.Reference));
            prepared.Add((key, operation));
        }

        // Key 7 is changed by someone else first: its step carries a stale token.
        await keys.UpdateAsync(prepared[7].Key with { Description = "changed elsewhere" });

        var writes = prepared.Select(p => Task.Run(async () => await steps.WriteAsync(new RotationStepWrite
        {
            Operation = p.Operation with { Step = RotationStep.StoredPending },
            Key = p.Key with { Description = "stored pending" },
            Audit = [NewEvent(p.Key.Reference)],
        }))).ToList();
        var outcomes = await Task.WhenAll(writes.Select(async w =>
        {
            try
            {
                await w;
                return null;
            }
            catch (Exception e)
            {
                return e;
            }
        }));

        outcomes[7].Should().BeOfType<ConcurrencyConflictException>();
        outcomes.Where((_, i) => i != 7).Should().AllSatisfy(e => e.Should().BeNull());
        for (var i = 0; i < prepared.Count; i++)
        {
            var (key, operation) = prepared[i];
            (await keys.GetAsync(key.Reference)).Description.Should().Be(i == 7 ? "changed elsewhere" : "stored pending");
            (await operations.FindAsync(operation.OperationId))!.Step.Should().Be(i == 7 ? RotationStep.Requested : RotationStep.StoredPending);
        }

        var audited = new List<string>();
        await foreach (var record in audit.ReadAsync())
        {
            audited.Add(record.Event.Target);
        }

        audited.Should().HaveCount(47).And.OnlyHaveUniqueItems().And.NotContain("openai/k07");
        (await audit.VerifyAsync()).IsValid.Should().BeTrue();
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _database.Delete();
    }

    private static AuditEvent NewEvent(KeyReference key) => new()
    {
        Actor = "scheduler",
        Action = AuditAction.KeyRotate,
        Target = key.ToString(),
        Timestamp = T0,
        Outcome = AuditOutcome.Success,
        Details = new Dictionary<string, string> { ["step"] = "stored-pending" },
    };

    private static RotationOperation NewOperation(KeyReference key) => new()
    {
        OperationId = RotationOperation.NewOperationId(),
        Key = key,
        Reason = RotationReason.Scheduled,
        Tier = RotationTier.Automatic,
        Step = RotationStep.Requested,
        RequestedBy = "scheduler",
        RequestedAt = T0,
        UpdatedAt = T0,
        NewVersionId = KeyVersion.NewVersionId(),
    };

    private static ManagedKey NewKey(string reference) => new()
    {
        Reference = KeyReference.Parse(reference),
        CreatedAt = T0,
        Versions =
        [
            new KeyVersion
            {
                VersionId = "kv_1",
                Stage = KeyStage.Current,
                CreatedAt = T0,
                DisplayHint = "sk-…1",
                Fingerprint = "fp1.test.kv_1",
                Secret = new EncryptedSecret { KeyEncryptionKeyId = "local-0011223344556677", WrappedDataKey = RandomNumberGenerator.GetBytes(60), Nonce = RandomNumberGenerator.GetBytes(12), Ciphertext = RandomNumberGenerator.GetBytes(51) },
            },
        ],
    };
}
