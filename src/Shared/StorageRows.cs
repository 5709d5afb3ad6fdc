using System.Data.Common;
using IronCage.Encryption;
using IronCage.Providers;
using NodaTime;

namespace IronCage.Storage;

/// <summary>Column conversions every store reads with: instants are stored as unix ticks (100 ns), bytes as blobs.</summary>
internal static class StorageColumns
{
    public static Instant Instant(DbDataReader reader, int ordinal) => NodaTime.Instant.FromUnixTimeTicks(reader.GetInt64(ordinal));

    public static Instant? NullableInstant(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : NodaTime.Instant.FromUnixTimeTicks(reader.GetInt64(ordinal));

    public static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static byte[] Bytes(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? [] : reader.GetFieldValue<byte[]>(ordinal);
}

/// <summary>
/// The columns every store selects for a managed key and its versions, in the order <see cref="KeyCursor"/> reads them
/// (append <c>FROM</c>, a <c>LEFT JOIN</c> of the versions and <c>ORDER BY k.reference, v.ordinal</c>).
/// </summary>
internal static class KeyColumns
{
    public const string Select = """
        SELECT k.reference, k.kind, k.description, k.labels, k.scope, k.policy, k.limits, k.created_at, k.token,
               v.version_id, v.provider_key_id, v.stage, v.created_at, v.activated_at, v.expires_at, v.revoked_at, v.killed_at,
               v.last_used_at, v.display_hint, v.fingerprint, v.secret_format, v.kek_id, v.wrapped_data_key, v.nonce, v.ciphertext, v.metadata,
               k.next_due_at, v.state_mac
        FROM ironcage_keys AS k
        LEFT JOIN ironcage_key_versions AS v ON v.reference = k.reference
        """;
}

    /// <summary>The columns every store selects for a rotation operation, in the order <see cref="Read"/> reads them.</summary>
internal static class OperationRows
{
    public const string Select = """
        SELECT operation_id, key_reference, step, token, body, new_secret_format, new_kek_id, new_wrapped_data_key, new_nonce, new_ciphertext
        FROM ironcage_rotation_operations
        """;

    public static IronCage.Rotation.RotationOperation Read(DbDataReader reader)
    {
        var operationId = reader.GetString(0);
        var secret = reader.IsDBNull(6)
            ? null
            : new EncryptedSecret
            {
                FormatVersion = reader.GetInt32(5),
                KeyEncryptionKeyId = reader.GetString(6),
                WrappedDataKey = StorageColumns.Bytes(reader, 7),
                Nonce = StorageColumns.Bytes(reader, 8),
                Ciphertext = StorageColumns.Bytes(reader, 9),
            };
        return StorageJson.ReadOperation(operationId, KeyReference.Parse(reader.GetString(1)), (IronCage.Rotation.RotationStep)reader.GetInt32(2), reader.GetInt64(3), reader.GetString(4), secret);
    }
}

/// <summary>Reads keys with their versions from rows ordered by reference, then version ordinal (one row per version, or one for a key without versions).</summary>
    internal sealed class KeyCursor(DbDataReader reader, KeyStateGuard? guard = null)
    {
        // True when the reader stands on the first row of a key not yet returned (the row that ended the previous key).
        private bool _onUnreadRow;
        private bool _done;

        public async ValueTask<ManagedKey?> NextAsync(CancellationToken cancellationToken)
        {
            if (_done)
            {
                return null;
            }

            if (!_onUnreadRow && !await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _done = true;
                return null;
            }

            _onUnreadRow = false;
            cancellationToken.ThrowIfCancellationRequested();
            var reference = reader.GetString(0);
            var key = new ManagedKey
            {
                Reference = KeyReference.Parse(reference),
                Kind = (KeyKind)reader.GetInt32(1),
                Description = StorageColumns.NullableString(reader, 2),
                Labels = StorageJson.ReadMap(reader.GetString(3)),
                Scope = StorageJson.ReadMap(reader.GetString(4)),
                Policy = StorageJson.ReadPolicy(reader.GetString(5)),
                Limits = StorageJson.ReadLimits(reader.GetString(6)),
                CreatedAt = StorageColumns.Instant(reader, 7),
                ConcurrencyToken = reader.GetInt64(8),
                NextDueAt = StorageColumns.NullableInstant(reader, 26),
            };

            var versions = new List<KeyVersion>();
            var seals = new List<string?>();
            do
            {
                if (!string.Equals(reader.GetString(0), reference, StringComparison.Ordinal))
                {
                    _onUnreadRow = true;
                    return await CheckedAsync(key with { Versions = versions }, seals, cancellationToken).ConfigureAwait(false);
                }

                if (!reader.IsDBNull(9))
                {
                    versions.Add(ReadVersion());
                    seals.Add(StorageColumns.NullableString(reader, 27));
                }
            }
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false));

            _done = true;
            return await CheckedAsync(key with { Versions = versions }, seals, cancellationToken).ConfigureAwait(false);
        }

        private async ValueTask<ManagedKey> CheckedAsync(ManagedKey key, List<string?> seals, CancellationToken cancellationToken)
        {
            if (guard is not null)
            {
                await guard.CheckAsync(key, seals, cancellationToken).ConfigureAwait(false);
            }

            return key;
        }

        private KeyVersion ReadVersion() => StorageJson.ReadVersionMetadata(new KeyVersion
        {
            VersionId = reader.GetString(9),
            ProviderKeyId = StorageColumns.NullableString(reader, 10),
            Stage = (KeyStage)reader.GetInt32(11),
            CreatedAt = StorageColumns.Instant(reader, 12),
            ActivatedAt = StorageColumns.NullableInstant(reader, 13),
            ExpiresAt = StorageColumns.NullableInstant(reader, 14),
            RevokedAt = StorageColumns.NullableInstant(reader, 15),
            KilledAt = StorageColumns.NullableInstant(reader, 16),
            LastUsedAt = StorageColumns.NullableInstant(reader, 17),
            DisplayHint = reader.GetString(18),
            Fingerprint = reader.GetString(19),
            Secret = new EncryptedSecret
            {
                FormatVersion = reader.GetInt32(20),
                KeyEncryptionKeyId = reader.GetString(21),
                WrappedDataKey = StorageColumns.Bytes(reader, 22),
                Nonce = StorageColumns.Bytes(reader, 23),
                Ciphertext = StorageColumns.Bytes(reader, 24),
            },
        }, reader.GetString(25));
}
