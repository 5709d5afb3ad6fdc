using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace IronCage.Storage.PostgreSql;

/// <summary>
/// An <see cref="IKeyStore"/> in a PostgreSQL database: managed keys in <c>ironcage_keys</c>, their versions in
/// <c>ironcage_key_versions</c>. Secrets are stored only as their envelope (ciphertext, wrapped data key, KEK id and
/// nonce), never in plaintext. Thread-safe; any number of instances may share one database.
/// </summary>
/// <remarks>
/// Every write checks the key's concurrency token in the same statement that changes the row
/// (<c>UPDATE … WHERE reference = @r AND token = @expected</c>) and takes its new token from the sequence
/// <c>ironcage_key_token</c>, which only grows, so a key deleted and created again never gets a token its predecessor
/// had. Every committed change sends <c>NOTIFY</c> on <see cref="PostgreSqlConstants.KeyChangeChannel"/> with the key's
/// reference (see <see cref="PostgreSqlKeyChangeFeed"/>).
/// </remarks>
public sealed class PostgreSqlKeyStore : IKeyStore, IDisposable
{
    private const string SelectKeys = KeyColumns.Select;

    private const string InsertVersion = """
        INSERT INTO ironcage_key_versions (reference, ordinal, version_id, provider_key_id, stage, created_at, activated_at, expires_at, revoked_at,
                                           killed_at, last_used_at, display_hint, fingerprint, secret_format, kek_id, wrapped_data_key, nonce, ciphertext, metadata, state_mac)
        VALUES (@reference, @ordinal, @version_id, @provider_key_id, @stage, @created_at, @activated_at, @expires_at, @revoked_at,
                @killed_at, @last_used_at, @display_hint, @fingerprint, @secret_format, @kek_id, @wrapped_data_key, @nonce, @ciphertext, @metadata, @state_mac);
        """;

    private readonly PostgreSqlDatabase _database;
    private readonly bool _ownsDatabase;
    private readonly Duration _defaultExpiryWarningLead;
    private readonly KeyStateGuard? _guard;
    private readonly PostgreSqlStateSealer? _sealer;

    /// <summary>Creates a store on the database that <paramref name="options"/> names.</summary>
    /// <param name="options">The connection string (or data source) and settings.</param>
    /// <exception cref="ArgumentException">The options are invalid (no connection string, ...).</exception>
    public PostgreSqlKeyStore(PostgreSqlStoreOptions options)
        : this(options, null)
    {
    }

    /// <summary>Creates a store on the database that <paramref name="options"/> names.</summary>
    /// <param name="options">The connection string (or data source) and settings.</param>
    /// <param name="loggerFactory">Creates the store's logger; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentException">The options are invalid (no connection string, ...).</exception>
    /// <remarks>
    /// <see cref="ManagedKey.NextDueAt"/> uses <see cref="IronCageConstants.DefaultExpiryWarningLead"/> for policies
    /// without their own lead; registered through <see cref="PostgreSqlIronCageBuilderExtensions"/> the store uses
    /// <see cref="IronCageOptions.DefaultExpiryWarningLead"/>.
    /// </remarks>
    public PostgreSqlKeyStore(PostgreSqlStoreOptions options, ILoggerFactory? loggerFactory)
        : this(new PostgreSqlDatabase(options, loggerFactory), ownsDatabase: true, IronCageConstants.DefaultExpiryWarningLead)
    {
    }

    internal PostgreSqlKeyStore(PostgreSqlDatabase database, bool ownsDatabase, Duration defaultExpiryWarningLead, KeyStateGuard? guard = null)
    {
        _database = database;
        _ownsDatabase = ownsDatabase;
        _defaultExpiryWarningLead = defaultExpiryWarningLead;
        _guard = guard;
        _sealer = guard is null ? null : new PostgreSqlStateSealer(database, guard);
    }

    /// <inheritdoc />
    public async ValueTask<ManagedKey?> FindAsync(KeyReference key, CancellationToken cancellationToken = default)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                using var command = new NpgsqlCommand(SelectKeys + " WHERE k.reference = @reference ORDER BY v.ordinal;", connection);
                command.Parameters.AddWithValue("reference", key.ToString());
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    return await new KeyCursor(reader, _guard).NextAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (PostgreSqlErrors.IsUnavailable(e))
        {
            throw PostgreSqlErrors.Unavailable(_database.Name, e);
        }
    }

    /// <inheritdoc />
    public async ValueTask<ManagedKey> GetAsync(KeyReference key, CancellationToken cancellationToken = default)
        => await FindAsync(key, cancellationToken).ConfigureAwait(false) ?? throw new ManagedKeyNotFoundException(key);

    /// <inheritdoc />
    public IAsyncEnumerable<ManagedKey> ListAsync(ProviderId? provider = null, CancellationToken cancellationToken = default)
        => _database.GuardAsync(ListCoreAsync(provider, cancellationToken), cancellationToken);

    private async IAsyncEnumerable<ManagedKey> ListCoreAsync(ProviderId? provider, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // One statement reads keys and versions from one snapshot, in reference order (COLLATE "C": byte order,
            // which for the ASCII references IronCage allows is ordinal order).
            using var command = new NpgsqlCommand(
                provider is not null
                    ? SelectKeys + " WHERE k.provider = @provider ORDER BY k.reference, v.ordinal;"
                    : SelectKeys + " ORDER BY k.reference, v.ordinal;",
                connection);
            if (provider is { } p)
            {
                command.Parameters.AddWithValue("provider", p.Value);
            }

            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var cursor = new KeyCursor(reader, _guard);
                while (await cursor.NextAsync(cancellationToken).ConfigureAwait(false) is { } key)
                {
                    yield return key;
                }
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>One indexed range read of <c>ironcage_keys.next_due_at</c> (<c>ix_ironcage_keys_next_due</c>); no version is read.</remarks>
    public async ValueTask<IReadOnlyList<KeyReference>> ListDueAsync(Instant now, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                using var command = new NpgsqlCommand(
                    "SELECT reference FROM ironcage_keys WHERE next_due_at IS NULL OR next_due_at <= @now ORDER BY next_due_at NULLS FIRST, reference LIMIT @limit;",
                    connection);
                command.Parameters.AddWithValue("now", PostgreSqlValues.Ticks(now));
                command.Parameters.AddWithValue("limit", limit);
                var due = new List<KeyReference>();
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        due.Add(KeyReference.Parse(reader.GetString(0)));
                    }
                }

                return due;
            }
        }
        catch (Exception e) when (PostgreSqlErrors.IsUnavailable(e))
        {
            throw PostgreSqlErrors.Unavailable(_database.Name, e);
        }
    }

    /// <inheritdoc />
    /// <remarks>One count and one page query in one repeatable-read snapshot (filters in SQL, labels through <c>jsonb</c>); only the page's keys and versions are read.</remarks>
    public async ValueTask<KeyListPage> ListPageAsync(KeyListQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
                await using (snapshot.ConfigureAwait(false))
                {
                    using var count = Filtered(connection, snapshot, query, "SELECT count(*) FROM ironcage_keys AS k");
                    var total = Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
                    var keys = new List<ManagedKey>(Math.Min(query.Limit, Math.Max(total - query.Offset, 0)));
                    if (total > query.Offset)
                    {
                        using var page = Filtered(connection, snapshot, query, "WITH page AS (SELECT k.reference FROM ironcage_keys AS k");
                        page.CommandText += " ORDER BY k.reference LIMIT @limit OFFSET @offset) " + SelectKeys + " WHERE k.reference IN (SELECT reference FROM page) ORDER BY k.reference, v.ordinal;";
                        page.Parameters.AddWithValue("limit", query.Limit);
                        page.Parameters.AddWithValue("offset", query.Offset);
                        var reader = await page.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                        await using (reader.ConfigureAwait(false))
                        {
                            var cursor = new KeyCursor(reader, _guard);
                            while (await cursor.NextAsync(cancellationToken).ConfigureAwait(false) is { } key)
                            {
                                if (query.Matches(key))
                                {
                                    keys.Add(key);
                                }
                            }
                        }
                    }

                    await snapshot.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return new KeyListPage(keys, total);
                }
            }
        }
        catch (Exception e) when (PostgreSqlErrors.IsUnavailable(e))
        {
            throw PostgreSqlErrors.Unavailable(_database.Name, e);
        }
    }

    // The query's filters as a WHERE clause after "select": stage through the versions table, labels as jsonb.
    private static NpgsqlCommand Filtered(NpgsqlConnection connection, NpgsqlTransaction transaction, KeyListQuery query, string select)
    {
        var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
        var where = new List<string>();
        if (query.Provider is { } provider)
        {
            where.Add("k.provider = @provider");
            command.Parameters.AddWithValue("provider", provider.Value);
        }

        if (query.LabelName is { } labelName)
        {
            where.Add(query.LabelValue is null ? "(k.labels::jsonb ->> @label_name) IS NOT NULL" : "(k.labels::jsonb ->> @label_name) = @label_value");
            command.Parameters.AddWithValue("label_name", labelName);
            if (query.LabelValue is { } labelValue)
            {
                command.Parameters.AddWithValue("label_value", labelValue);
            }
        }

        if (query.Stage is { } stage)
        {
            where.Add("EXISTS (SELECT 1 FROM ironcage_key_versions AS s WHERE s.reference = k.reference AND s.stage = @stage)");
            command.Parameters.AddWithValue("stage", (int)stage);
        }

        if (query.Overdue is { } overdue)
        {
            // Never is stored as the largest instant, so it is never at or before now.
            where.Add(overdue ? "k.next_due_at IS NOT NULL AND k.next_due_at <= @now" : "(k.next_due_at IS NULL OR k.next_due_at > @now)");
            command.Parameters.AddWithValue("now", PostgreSqlValues.Ticks(query.AsOf));
        }

        command.CommandText = where.Count == 0 ? select : select + " WHERE " + string.Join(" AND ", where);
        return command;
    }

    /// <inheritdoc />
    public async ValueTask<ManagedKey> CreateAsync(ManagedKey key, CancellationToken cancellationToken = default)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(key);
            cancellationToken.ThrowIfCancellationRequested();
            key.Validate();
            var row = KeyRow.From(key, _defaultExpiryWarningLead);
            if (_sealer is not null)
            {
                await _sealer.EnsureSealedAsync(cancellationToken).ConfigureAwait(false);
            }

            var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
            await using (write.ConfigureAwait(false))
            {
                long token;
                using (var insert = write.Command("""
                    INSERT INTO ironcage_keys (reference, provider, name, kind, description, labels, scope, policy, limits, created_at, token, next_due_at)
                    VALUES (@reference, @provider, @name, @kind, @description, @labels, @scope, @policy, @limits, @created_at, nextval('ironcage_key_token'), @next_due_at)
                    ON CONFLICT (reference) DO NOTHING
                    RETURNING token;
                    """))
                {
                    row.Bind(insert);
                    insert.Parameters.AddWithValue("provider", key.Provider.Value);
                    insert.Parameters.AddWithValue("name", key.Name);
                    token = await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long created
                        ? created
                        : throw new ManagedKeyAlreadyExistsException(key.Reference);
                }

                await InsertVersionsAsync(write, row, key, cancellationToken).ConfigureAwait(false);
                await write.NotifyKeyChangedAsync(row.Reference, cancellationToken).ConfigureAwait(false);
                await write.CommitAsync().ConfigureAwait(false);
                return Stored(key, token, row.NextDueAt);
            }
        }
        catch (Exception e) when (PostgreSqlErrors.IsUnavailable(e))
        {
            throw PostgreSqlErrors.Unavailable(_database.Name, e);
        }
    }

    /// <inheritdoc />
    public async ValueTask<ManagedKey> UpdateAsync(ManagedKey key, CancellationToken cancellationToken = default)
    {
        try
        {
            ArgumentNullException.ThrowIfNull(key);
            cancellationToken.ThrowIfCancellationRequested();
            key.Validate();
            var row = KeyRow.From(key, _defaultExpiryWarningLead);
            if (_sealer is not null)
            {
                await _sealer.EnsureSealedAsync(cancellationToken).ConfigureAwait(false);
            }

            var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
            await using (write.ConfigureAwait(false))
            {
                var stored = await UpdateInAsync(write, key, row, cancellationToken).ConfigureAwait(false);
                await write.CommitAsync().ConfigureAwait(false);
                return stored;
            }
        }
        catch (Exception e) when (PostgreSqlErrors.IsUnavailable(e))
        {
            throw PostgreSqlErrors.Unavailable(_database.Name, e);
        }
    }

    internal PostgreSqlDatabase Database => _database;

    /// <summary>Seals legacy versions once, before the first write transaction.</summary>
    internal ValueTask PrepareWriteAsync(CancellationToken cancellationToken) => _sealer?.EnsureSealedAsync(cancellationToken) ?? ValueTask.CompletedTask;

    /// <summary>Writes a validated key's change inside <paramref name="write"/> (announced on commit); the caller commits.</summary>
    internal ValueTask<ManagedKey> UpdateInAsync(PostgreSqlWrite write, ManagedKey key, CancellationToken cancellationToken)
        => UpdateInAsync(write, key, KeyRow.From(key, _defaultExpiryWarningLead), cancellationToken);

    private async ValueTask<ManagedKey> UpdateInAsync(PostgreSqlWrite write, ManagedKey key, KeyRow row, CancellationToken cancellationToken)
    {
        long token;
        // The row lock this takes makes a concurrent writer wait, then re-check the token (READ COMMITTED re-evaluates
        // the WHERE clause on the newest row version) and find it changed.
        using (var update = write.Command("""
            UPDATE ironcage_keys
            SET kind = @kind, description = @description, labels = @labels, scope = @scope, policy = @policy, limits = @limits,
                created_at = @created_at, token = nextval('ironcage_key_token'), next_due_at = @next_due_at
            WHERE reference = @reference AND token = @expected
            RETURNING token;
            """))
        {
            row.Bind(update);
            update.Parameters.AddWithValue("expected", key.ConcurrencyToken);
            if (await update.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long updated)
            {
                token = updated;
            }
            else
            {
                var actual = await ReadTokenAsync(write, row.Reference, cancellationToken).ConfigureAwait(false);
                Log.KeyConflict(_database.Logger, key.Reference, key.ConcurrencyToken, actual);
                throw new ConcurrencyConflictException(key.Reference, key.ConcurrencyToken, actual);
            }
        }

        // The versions are replaced as a whole, and the change announced, in one round trip.
        using var batch = new NpgsqlBatch(write.Connection, write.Transaction);
        var delete = new NpgsqlBatchCommand("DELETE FROM ironcage_key_versions WHERE reference = @reference;");
        delete.Parameters.AddWithValue("reference", row.Reference);
        batch.BatchCommands.Add(delete);
        AddVersionInserts(batch, row, key);
        var notify = new NpgsqlBatchCommand("SELECT pg_notify(@channel, @reference);");
        notify.Parameters.AddWithValue("channel", PostgreSqlConstants.KeyChangeChannel);
        notify.Parameters.AddWithValue("reference", row.Reference);
        batch.BatchCommands.Add(notify);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return Stored(key, token, row.NextDueAt);
    }

    /// <inheritdoc />
    public async ValueTask DeleteAsync(KeyReference key, long expectedConcurrencyToken, CancellationToken cancellationToken = default)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var reference = key.ToString();
            var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
            await using (write.ConfigureAwait(false))
            {
                using (var delete = write.Command("DELETE FROM ironcage_keys WHERE reference = @reference AND token = @expected;"))
                {
                    delete.Parameters.AddWithValue("reference", reference);
                    delete.Parameters.AddWithValue("expected", expectedConcurrencyToken);
                    if (await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                    {
                        var actual = await ReadTokenAsync(write, reference, cancellationToken).ConfigureAwait(false);
                        if (actual is null)
                        {
                            throw new ManagedKeyNotFoundException(key);
                        }

                        Log.KeyConflict(_database.Logger, key, expectedConcurrencyToken, actual);
                        throw new ConcurrencyConflictException(key, expectedConcurrencyToken, actual);
                    }
                }

                // The versions go with the key (ON DELETE CASCADE).
                await write.NotifyKeyChangedAsync(reference, cancellationToken).ConfigureAwait(false);
                await write.CommitAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (PostgreSqlErrors.IsUnavailable(e))
        {
            throw PostgreSqlErrors.Unavailable(_database.Name, e);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsDatabase)
        {
            _database.Dispose();
        }
    }

    private static ManagedKey Stored(ManagedKey key, long token, Instant? nextDueAt) => key with
    {
        ConcurrencyToken = token,
        NextDueAt = nextDueAt,
        // ManagedKey's setters copy caller collections; metadata is copied by KeyVersion's the same way.
        Versions = [.. key.Versions],
    };

    private static async ValueTask<long?> ReadTokenAsync(PostgreSqlWrite write, string reference, CancellationToken cancellationToken)
    {
        using var select = write.Command("SELECT token FROM ironcage_keys WHERE reference = @reference;");
        select.Parameters.AddWithValue("reference", reference);
        return await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long token ? token : null;
    }

    private async ValueTask InsertVersionsAsync(PostgreSqlWrite write, KeyRow row, ManagedKey key, CancellationToken cancellationToken)
    {
        var versions = key.Versions;
        if (versions.Count == 0)
        {
            return;
        }

        // One round trip for every version.
        using var batch = new NpgsqlBatch(write.Connection, write.Transaction);
        AddVersionInserts(batch, row, key);
        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private void AddVersionInserts(NpgsqlBatch batch, KeyRow row, ManagedKey key)
    {
        var versions = key.Versions;
        for (var i = 0; i < versions.Count; i++)
        {
            var version = versions[i];
            var insert = new NpgsqlBatchCommand(InsertVersion);
            var command = insert.Parameters;
            command.AddWithValue("reference", row.Reference);
            command.AddWithValue("ordinal", i);
            command.AddWithValue("version_id", version.VersionId);
            command.Add(new NpgsqlParameter("provider_key_id", NpgsqlDbType.Text) { Value = (object?)version.ProviderKeyId ?? DBNull.Value });
            command.AddWithValue("stage", (int)version.Stage);
            command.AddWithValue("created_at", PostgreSqlValues.Ticks(version.CreatedAt));
            command.Add(Ticks("activated_at", version.ActivatedAt));
            command.Add(Ticks("expires_at", version.ExpiresAt));
            command.Add(Ticks("revoked_at", version.RevokedAt));
            command.Add(Ticks("killed_at", version.KilledAt));
            command.Add(Ticks("last_used_at", version.LastUsedAt));
            command.AddWithValue("display_hint", version.DisplayHint);
            command.AddWithValue("fingerprint", version.Fingerprint);
            command.AddWithValue("secret_format", version.Secret.FormatVersion);
            command.AddWithValue("kek_id", version.Secret.KeyEncryptionKeyId);
            command.AddWithValue("wrapped_data_key", NpgsqlDbType.Bytea, version.Secret.WrappedDataKey.ToArray());
            command.AddWithValue("nonce", NpgsqlDbType.Bytea, version.Secret.Nonce.ToArray());
            command.AddWithValue("ciphertext", NpgsqlDbType.Bytea, version.Secret.Ciphertext.ToArray());
            command.AddWithValue("metadata", StorageJson.WriteVersionMetadata(version));
            command.Add(new NpgsqlParameter("state_mac", NpgsqlDbType.Text) { Value = _guard is null ? DBNull.Value : _guard.Seal(key.Reference, version) });
            batch.BatchCommands.Add(insert);
        }
    }

    private async ValueTask<NpgsqlConnection> OpenReadAsync(CancellationToken cancellationToken)
    {
        if (_sealer is not null)
        {
            await _sealer.EnsureSealedAsync(cancellationToken).ConfigureAwait(false);
        }

        return await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
    }

    private static NpgsqlParameter Ticks(string name, Instant? instant)
        => new(name, NpgsqlDbType.Bigint) { Value = instant is { } value ? value.ToUnixTimeTicks() : DBNull.Value };

    /// <summary>The columns of a key's row, serialised once before the write transaction starts.</summary>
    private sealed class KeyRow
    {
        public required string Reference { get; init; }

        public required int Kind { get; init; }

        public required string? Description { get; init; }

        public required string Labels { get; init; }

        public required string Scope { get; init; }

        public required string Policy { get; init; }

        public required string Limits { get; init; }

        public required long CreatedAt { get; init; }

        public required Instant? NextDueAt { get; init; }

        public static KeyRow From(ManagedKey key, Duration defaultExpiryWarningLead) => new()
        {
            NextDueAt = ManagedKeyDue.Compute(key, defaultExpiryWarningLead),
            Reference = key.Reference.ToString(),
            Kind = (int)key.Kind,
            Description = key.Description,
            Labels = StorageJson.WriteMap(key.Labels),
            Scope = StorageJson.WriteMap(key.Scope),
            Policy = StorageJson.WritePolicy(key.Policy),
            Limits = StorageJson.WriteLimits(key.Limits),
            CreatedAt = PostgreSqlValues.Ticks(key.CreatedAt),
        };

        public void Bind(NpgsqlCommand command)
        {
            command.Parameters.AddWithValue("reference", Reference);
            command.Parameters.AddWithValue("kind", Kind);
            PostgreSqlValues.Add(command, "description", NpgsqlDbType.Text, Description);
            command.Parameters.AddWithValue("labels", Labels);
            command.Parameters.AddWithValue("scope", Scope);
            command.Parameters.AddWithValue("policy", Policy);
            command.Parameters.AddWithValue("limits", Limits);
            command.Parameters.AddWithValue("created_at", CreatedAt);
            PostgreSqlValues.AddTicks(command, "next_due_at", NextDueAt);
        }
    }
}
