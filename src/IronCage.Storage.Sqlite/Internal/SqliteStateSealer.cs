using IronCage.Auditing;
using IronCage.Encryption;
using NodaTime;

namespace IronCage.Storage.Sqlite;

/// <summary>
/// Seals, once per database file, the key versions written before their state was sealed (schema version 4): on the
/// first use of a store that has the master key. Afterwards a version without a seal is refused.
/// </summary>
internal sealed class SqliteStateSealer(SqliteDatabase database, KeyStateGuard guard)
{
    private volatile bool _done;

    public async ValueTask EnsureSealedAsync(CancellationToken cancellationToken)
    {
        if (_done)
        {
            return;
        }

        await database.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var sealedCount = -1;
        var write = await database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            using (var claim = write.Command("UPDATE ironcage_state_seal SET sealed = 1 WHERE id = 1 AND sealed = 0;"))
            {
                if (await claim.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
                {
                    sealedCount = await SealUnsealedAsync(write, cancellationToken).ConfigureAwait(false);
                }
            }

            write.Commit();
        }

        _done = true;
        if (sealedCount > 0)
        {
            Log.LegacyVersionsSealed(database.Logger, database.DataSource, sealedCount);
            await guard.AuditAsync(new AuditEvent
            {
                Actor = "system",
                Action = AuditAction.KeyStateSealed,
                Target = database.DataSource,
                Timestamp = guard.Clock.GetCurrentInstant(),
                Reason = "versions stored before schema version 4 had no state seal",
                Details = new Dictionary<string, string> { ["versions"] = sealedCount.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<int> SealUnsealedAsync(SqliteWrite write, CancellationToken cancellationToken)
    {
        var seals = new List<(string Reference, string VersionId, string Seal)>();
        using (var select = write.Command("SELECT reference, version_id, stage, killed_at, revoked_at, metadata FROM ironcage_key_versions WHERE state_mac IS NULL;"))
        {
            var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var reference = reader.GetString(0);
                    var version = StorageJson.ReadVersionMetadata(new KeyVersion
                    {
                        VersionId = reader.GetString(1),
                        Stage = (KeyStage)reader.GetInt32(2),
                        KilledAt = StorageColumns.NullableInstant(reader, 3),
                        RevokedAt = StorageColumns.NullableInstant(reader, 4),
                        CreatedAt = Instant.MinValue,
                        DisplayHint = string.Empty,
                        Fingerprint = string.Empty,
                        Secret = new EncryptedSecret { KeyEncryptionKeyId = string.Empty, WrappedDataKey = Array.Empty<byte>(), Nonce = Array.Empty<byte>(), Ciphertext = Array.Empty<byte>() },
                    }, reader.GetString(5));
                    seals.Add((reference, version.VersionId, guard.Seal(KeyReference.Parse(reference), version)));
                }
            }
        }

        using var update = write.Command("UPDATE ironcage_key_versions SET state_mac = $seal WHERE reference = $reference AND version_id = $version_id;");
        var sealParameter = update.Parameters.Add("$seal", Microsoft.Data.Sqlite.SqliteType.Text);
        var referenceParameter = update.Parameters.Add("$reference", Microsoft.Data.Sqlite.SqliteType.Text);
        var versionParameter = update.Parameters.Add("$version_id", Microsoft.Data.Sqlite.SqliteType.Text);
        foreach (var (reference, versionId, seal) in seals)
        {
            sealParameter.Value = seal;
            referenceParameter.Value = reference;
            versionParameter.Value = versionId;
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return seals.Count;
    }
}
