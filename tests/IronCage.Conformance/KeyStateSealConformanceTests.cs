using System.Security.Cryptography;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Storage;
using NodaTime;

namespace IronCage.Conformance;

/// <summary>
/// A SQL key store that seals version state (<see cref="KeyStateAuthenticator"/>): an edit of a version's stage,
/// kill or revocation state in the database is refused, alerted and audited, and rows stored before seals existed are
/// sealed once. Subclass it with stores over one database (sealed with <see cref="Authenticator"/>, auditing to
/// <see cref="Audit"/>, alerting into <see cref="Alerts"/>) and a way to run SQL on it.
/// </summary>
public abstract class KeyStateSealConformanceTests : IAsyncLifetime
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 22, 9, 30);
    private static readonly KeyReference Reference = KeyReference.Parse("openai/prod");

    /// <summary>Gets the authenticator the sealed stores use.</summary>
    protected KeyStateAuthenticator Authenticator { get; } = new("test", [.. Enumerable.Range(1, 32).Select(i => (byte)i)]);

    /// <summary>Gets the audit log the sealed stores append to.</summary>
    protected InMemoryAuditLog Audit { get; } = new();

    /// <summary>Gets the alerts the sealed stores raised: (key, version id).</summary>
    protected List<(KeyReference Key, string VersionId)> Alerts { get; } = [];

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual Task DisposeAsync() => Task.CompletedTask;

    [ConformanceFact]
    public async Task Read_SealedVersions_AreReadAsWritten()
    {
        var store = CreateSealedStore();
        var stored = await store.CreateAsync(KeyWithKilledAndRevokedVersions());

        var read = await store.GetAsync(Reference);

        read.Versions.Select(v => (v.VersionId, v.Stage, v.KilledAt, v.RevokedAt, v.RevocationFailedAt))
            .Should().Equal(stored.Versions.Select(v => (v.VersionId, v.Stage, v.KilledAt, v.RevokedAt, v.RevocationFailedAt)));
        Alerts.Should().BeEmpty();
    }

    [ConformanceTheory]
    [InlineData("kill cleared", "kv_current", "UPDATE ironcage_key_versions SET killed_at = NULL WHERE version_id = 'kv_current';")]
    [InlineData("revoked set back to previous", "kv_revoked", "UPDATE ironcage_key_versions SET stage = 2, revoked_at = NULL WHERE version_id = 'kv_revoked';")]
    [InlineData("revocation instant moved", "kv_revoked", "UPDATE ironcage_key_versions SET revoked_at = revoked_at + 1 WHERE version_id = 'kv_revoked';")]
    [InlineData("revocation failure cleared", "kv_revoked", "UPDATE ironcage_key_versions SET metadata = '{}' WHERE version_id = 'kv_revoked';")]
    [InlineData("seal removed", "kv_current", "UPDATE ironcage_key_versions SET state_mac = NULL WHERE version_id = 'kv_current';")]
    [InlineData("seal copied from another version", "kv_current", "UPDATE ironcage_key_versions SET state_mac = (SELECT state_mac FROM ironcage_key_versions WHERE version_id = 'kv_revoked') WHERE version_id = 'kv_current';")]
    public async Task Read_VersionStateEditedInTheDatabase_IsRefusedAlertedAndAudited(string edit, string versionId, string sql)
    {
        var store = CreateSealedStore();
        await store.CreateAsync(KeyWithKilledAndRevokedVersions());

        await ExecuteAsync(sql);
        var find = async () => await store.FindAsync(Reference);
        var list = async () => await ListAsync(store);

        var refused = (await find.Should().ThrowAsync<KeyStateTamperedException>(edit)).Which;
        refused.Key.Should().Be(Reference);
        refused.VersionId.Should().Be(versionId);
        await list.Should().ThrowAsync<KeyStateTamperedException>();
        Alerts.Should().Equal([(Reference, versionId)], "the alert is raised once, not on every read");
        var audited = await ReadAuditAsync();
        audited.Should().ContainSingle(r => r.Event.Action == AuditAction.KeyStateTampered);
        audited.Single(r => r.Event.Action == AuditAction.KeyStateTampered).Event.Details["version"].Should().Be(versionId);
    }

    [ConformanceFact]
    public async Task Write_ThroughTheSealedStore_KeepsTheSealsRight()
    {
        var store = CreateSealedStore();
        var stored = await store.CreateAsync(KeyWithKilledAndRevokedVersions() with { Versions = [Version("kv_current", KeyStage.Current)] });

        await store.UpdateAsync(ManagedKeyTransitions.Kill(stored, "kv_current", T0));
        var read = await store.GetAsync(Reference);

        read.FindVersion("kv_current")!.KilledAt.Should().Be(T0);
        Alerts.Should().BeEmpty();
    }

    [ConformanceFact]
    public async Task Open_RowsStoredBeforeSeals_AreSealedOnce_ThenEditsOfThemAreRefused()
    {
        await CreateUnsealedStore().CreateAsync(KeyWithKilledAndRevokedVersions());

        var store = CreateSealedStore();
        var read = await store.GetAsync(Reference);
        read.FindVersion("kv_current")!.KilledAt.Should().Be(T0);
        (await ReadAuditAsync()).Should().ContainSingle(r => r.Event.Action == AuditAction.KeyStateSealed);

        await ExecuteAsync("UPDATE ironcage_key_versions SET killed_at = NULL, state_mac = NULL WHERE version_id = 'kv_current';");
        var find = async () => await CreateSealedStore().FindAsync(Reference);

        (await find.Should().ThrowAsync<KeyStateTamperedException>("after the one-time sealing, a missing seal is refused")).Which.VersionId.Should().Be("kv_current");
    }

    /// <summary>Creates a store that seals with <see cref="Authenticator"/>, audits to <see cref="Audit"/> and alerts into <see cref="Alerts"/>, over the test's database.</summary>
    /// <returns>The store.</returns>
    protected abstract IKeyStore CreateSealedStore();

    /// <summary>Creates a store without the master key over the same database: it writes no seals (as IronCage before schema version 4 did).</summary>
    /// <returns>The store.</returns>
    protected abstract IKeyStore CreateUnsealedStore();

    /// <summary>Runs SQL on the test's database, outside the stores.</summary>
    /// <param name="sql">The statements.</param>
    /// <returns>A task that completes when they ran.</returns>
    protected abstract Task ExecuteAsync(string sql);

    private static ManagedKey KeyWithKilledAndRevokedVersions() => new()
    {
        Reference = Reference,
        CreatedAt = T0,
        Versions =
        [
            Version("kv_revoked", KeyStage.Revoked) with { RevokedAt = T0 - Duration.FromDays(1), RevocationFailedAt = T0 - Duration.FromDays(1), KilledAt = T0 - Duration.FromDays(1) },
            Version("kv_current", KeyStage.Current) with { KilledAt = T0 },
        ],
    };

    private static KeyVersion Version(string versionId, KeyStage stage) => new()
    {
        VersionId = versionId,
        Stage = stage,
        CreatedAt = T0 - Duration.FromDays(2),
        DisplayHint = "sk-…" + versionId[^1],
        Fingerprint = "fp1.test." + versionId,
        Secret = new EncryptedSecret
        {
            KeyEncryptionKeyId = "local-0011223344556677",
            WrappedDataKey = RandomNumberGenerator.GetBytes(60),
            Nonce = RandomNumberGenerator.GetBytes(12),
            Ciphertext = RandomNumberGenerator.GetBytes(51),
        },
    };

    private static async Task<List<ManagedKey>> ListAsync(IKeyStore store)
    {
        var keys = new List<ManagedKey>();
        await foreach (var key in store.ListAsync())
        {
            keys.Add(key);
        }

        return keys;
    }

    private async Task<List<AuditRecord>> ReadAuditAsync()
    {
        var records = new List<AuditRecord>();
        await foreach (var record in Audit.ReadAsync())
        {
            records.Add(record);
        }

        return records;
    }
}
