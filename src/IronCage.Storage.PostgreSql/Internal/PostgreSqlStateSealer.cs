using IronCage.Auditing;
using IronCage.Encryption;
using NodaTime;

namespace IronCage.Storage.PostgreSql;

/// <summary>
/// Seals, once per database, the key versions written before their state was sealed (schema version 4): on the
/// first use of a store that has the master key. Afterwards a version without a seal is refused.
/// </summary>
internal sealed class PostgreSqlStateSealer(PostgreSqlDatabase database, KeyStateGuard guard)
{
    private volatile bool _done;

    public async ValueTask EnsureSealedAsync(CancellationToken cancellationToken)
    {
        if (_done)
        {
            return;
        }

        var sealedCount = -1;
        var write = await database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            using (var claim = write.Command("UPDATE ironcage_state_seal SET sealed = true WHERE id = 1 AND NOT sealed;"))
            {
                if (await claim.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
                {
                    sealedCount = await SealUnsealedAsync(write, cancellationToken).ConfigureAwait(false);
                }
            }

            await write.CommitAsync().ConfigureAwait(false);
        }

        _done = true;
        if (sealedCount > 0)
        {
            Log.LegacyVersionsSealed(database.Logger, database.Name, sealedCount);
            await guard.AuditAsync(new AuditEvent
            {
                Actor = "system",
                Action = AuditAction.KeyStateSealed,
                Target = database.Name,
                Timestamp = guard.Clock.GetCurrentInstant(),
                Reason = "versions stored before schema version 4 had no state seal",
                Details = new Dictionary<string, string> { ["versions"] = sealedCount.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<int> SealUnsealedAsync(PostgreSqlWrite write, CancellationToken cancellationToken)
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

        if (seals.Count > 0)
        {
            using var batch = new Npgsql.NpgsqlBatch(write.Connection, write.Transaction);
            foreach (var (reference, versionId, seal) in seals)
            {
                var update = new Npgsql.NpgsqlBatchCommand("UPDATE ironcage_key_versions SET state_mac = @seal WHERE reference = @reference AND version_id = @version_id;");
                update.Parameters.AddWithValue("seal", seal);
                update.Parameters.AddWithValue("reference", reference);
                update.Parameters.AddWithValue("version_id", versionId);
                batch.BatchCommands.Add(update);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return seals.Count;
    }
}
