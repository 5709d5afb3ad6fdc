using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Rotation;
using IronCage.Storage;
using NodaTime;

namespace IronCage.Conformance;

/// <summary>
/// Rows written before a version's state and an operation's kind were typed: a SQL store reads them into the typed
/// model (migration on read). Subclass it with a key store and a rotation store over one database, and a way to run SQL
/// on that database.
/// </summary>
public abstract class LegacyRowConformanceTests : IAsyncLifetime
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 22, 9, 30);

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual Task DisposeAsync() => Task.CompletedTask;

    [ConformanceFact]
    public async Task ReadVersion_LegacyMetadataStrings_AreReadAsTypedState()
    {
        var keys = CreateKeyStore();
        await keys.CreateAsync(KeyWithVersion("openai/prod"));
        await ExecuteAsync("""UPDATE ironcage_key_versions SET metadata = '{"slot":"Key2","ironcage.revocation-failed-at":"2026-11-22T09:30:00Z","ironcage.expiry-warned-at":"2026-11-23T10:00:00Z","account":"acct_1"}' WHERE version_id = 'kv_legacy';""");

        var version = (await keys.GetAsync(KeyReference.Parse("openai/prod"))).FindVersion("kv_legacy")!;

        version.Slot.Should().Be("Key2");
        version.RevocationFailedAt.Should().Be(T0);
        version.ExpiryWarnedAt.Should().Be(Instant.FromUtc(2026, 11, 23, 10, 0));
        version.Metadata.Should().BeEquivalentTo(new Dictionary<string, string> { ["account"] = "acct_1" }, "typed state is no longer free-form metadata");
    }

    [ConformanceFact]
    public async Task ReadVersion_LegacyRowWrittenBack_KeepsTypedState()
    {
        var keys = CreateKeyStore();
        await keys.CreateAsync(KeyWithVersion("openai/prod"));
        await ExecuteAsync("""UPDATE ironcage_key_versions SET metadata = '{"slot":"Key1","ironcage.expiry-warned-at":"2026-11-22T09:30:00Z"}' WHERE version_id = 'kv_legacy';""");
        var legacy = await keys.GetAsync(KeyReference.Parse("openai/prod"));

        await keys.UpdateAsync(ManagedKeyTransitions.MarkRevocationFailed(legacy, "kv_legacy", T0 + Duration.FromHours(1)));
        var version = (await keys.GetAsync(legacy.Reference)).FindVersion("kv_legacy")!;

        version.Slot.Should().Be("Key1");
        version.ExpiryWarnedAt.Should().Be(T0);
        version.RevocationFailedAt.Should().Be(T0 + Duration.FromHours(1));
        version.Metadata.Should().BeEmpty();
    }

    [ConformanceFact]
    public async Task ListDue_RowWithoutNextDue_IsListedUntilAWriteComputesIt()
    {
        var keys = CreateKeyStore();
        var weekly = KeyWithVersion("openai/prod") with { Policy = new RotationPolicy { Schedule = RotationSchedule.Weekly } };
        await keys.CreateAsync(weekly);
        await keys.CreateAsync(KeyWithVersion("openai/other") with { Policy = new RotationPolicy { Schedule = RotationSchedule.Weekly } });
        await ExecuteAsync("UPDATE ironcage_keys SET next_due_at = NULL WHERE reference = 'openai/prod';");

        var legacy = await keys.GetAsync(weekly.Reference);
        var listed = await keys.ListDueAsync(T0, 10);

        legacy.NextDueAt.Should().BeNull("the row predates the column");
        listed.Should().Equal([weekly.Reference], "an unknown due instant is due for evaluation; the other key is not due for a week");

        var written = await keys.UpdateAsync(legacy);

        written.NextDueAt.Should().Be(T0 + Duration.FromDays(7));
        (await keys.GetAsync(weekly.Reference)).NextDueAt.Should().Be(T0 + Duration.FromDays(7));
        (await keys.ListDueAsync(T0, 10)).Should().BeEmpty();
    }

    [ConformanceTheory]
    [InlineData("\"revokeOnly\":true,\"revokeFirst\":true", RotationOperationKind.Revocation, EarlyRevocation.None)]
    [InlineData("\"revokeFirst\":true,\"previousRevokedEarly\":true", RotationOperationKind.RevokeFirstRotation, EarlyRevocation.Revoked)]
    [InlineData("\"createAttempted\":true", RotationOperationKind.Rotation, EarlyRevocation.None)]
    public async Task ReadOperation_LegacyModeFlags_AreReadAsKind(string flags, RotationOperationKind kind, EarlyRevocation early)
    {
        var operations = CreateRotationStore();
        var created = await operations.CreateAsync(new RotationOperation
        {
            OperationId = RotationOperation.NewOperationId(),
            Key = KeyReference.Parse("openai/prod"),
            Reason = RotationReason.Compromised,
            Tier = RotationTier.Automatic,
            Step = RotationStep.Requested,
            RequestedBy = "security",
            RequestedAt = T0,
            UpdatedAt = T0,
            NewVersionId = "kv_new",
        });
        var body = "{\"reason\":2,\"tier\":0,\"requestedBy\":\"security\",\"requestedAt\":\"2026-11-22T09:30:00Z\",\"updatedAt\":\"2026-11-22T09:30:00Z\"," + flags + ",\"newVersionId\":\"kv_new\",\"remindersSent\":0,\"attempts\":0}";
        await ExecuteAsync($"UPDATE ironcage_rotation_operations SET body = '{body}' WHERE operation_id = '{created.OperationId}';");

        var read = (await operations.FindAsync(created.OperationId))!;

        read.Kind.Should().Be(kind);
        read.EarlyRevocation.Should().Be(early);
        read.Reason.Should().Be(RotationReason.Compromised);
        read.NewVersionId.Should().Be("kv_new");
    }

    /// <summary>Creates a key store over the test's database.</summary>
    /// <returns>The store.</returns>
    protected abstract IKeyStore CreateKeyStore();

    /// <summary>Creates a rotation store over the same database.</summary>
    /// <returns>The store.</returns>
    protected abstract IRotationStore CreateRotationStore();

    /// <summary>Runs SQL on the database, outside the stores.</summary>
    /// <param name="sql">The statement.</param>
    /// <returns>A task.</returns>
    protected abstract Task ExecuteAsync(string sql);

    private static ManagedKey KeyWithVersion(string reference) => new()
    {
        Reference = KeyReference.Parse(reference),
        CreatedAt = T0,
        Versions =
        [
            new KeyVersion
            {
                VersionId = "kv_legacy",
                ProviderKeyId = "Key2",
                Stage = KeyStage.Current,
                CreatedAt = T0,
                DisplayHint = "sk-…abcd",
                Fingerprint = "fp1.kek.abcd",
                Secret = new EncryptedSecret { KeyEncryptionKeyId = "kek", WrappedDataKey = new byte[] { 1, 2 }, Nonce = new byte[12], Ciphertext = new byte[] { 3, 4 } },
            },
        ],
    };
}
