using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Storage.Sqlite;

/// <summary>
/// An <see cref="IKeyStore"/> in a SQLite database file: managed keys in <c>ironcage_keys</c>, their versions in
/// <c>ironcage_key_versions</c>. Secrets are stored only as their envelope (ciphertext, wrapped data key, KEK id and
/// nonce), never in plaintext. Thread-safe; several instances and processes may share one file.
/// </summary>
/// <remarks>
/// Every write checks the key's concurrency token in the same statement that changes the row
/// (<c>UPDATE … WHERE reference = @r AND token = @expected</c>) inside a write transaction, and takes its new token from
/// a counter that only grows, so a key deleted and created again never gets a token its predecessor had. The schema
/// is applied (or checked) on first use, or at host start when registered with
/// <see cref="SqliteIronCageBuilderExtensions.PersistToSqlite(IIronCageBuilder, string)"/>. Registered that way, each
/// version's stage, kill and revocation state is sealed with a MAC keyed from the master key
/// (<see cref="IronCage.Encryption.KeyStateAuthenticator"/>), and a key whose stored state does not match its seal is
/// refused with <see cref="KeyStateTamperedException"/>, alerted and audited.
/// </remarks>
public sealed class SqliteKeyStore : IKeyStore, IKeyChangeFeed, IDisposable
{
    private const string TokenSequence = "key_token";

    private const string SelectKeys = KeyColumns.Select;

    private const string InsertVersion = """
        INSERT INTO ironcage_key_versions (reference, ordinal, version_id, provider_key_id, stage, created_at, activated_at, expires_at, revoked_at,
                                           killed_at, last_used_at, display_hint, fingerprint, secret_format, kek_id, wrapped_data_key, nonce, ciphertext, metadata, state_mac)
        VALUES ($reference, $ordinal, $version_id, $provider_key_id, $stage, $created_at, $activated_at, $expires_at, $revoked_at,
                $killed_at, $last_used_at, $display_hint, $fingerprint, $secret_format, $kek_id, $wrapped_data_key, $nonce, $ciphertext, $metadata, $state_mac);
        """;

    private readonly SqliteDatabase _database;
    private readonly bool _ownsDatabase;
    private readonly Duration _defaultExpiryWarningLead;
    private readonly KeyStateGuard? _guard;
    private readonly SqliteStateSealer? _sealer;
    private readonly SqliteKeyChangePoller _changes;

    /// <summary>Creates a store on the database file that <paramref name="options"/> names.</summary>
    /// <param name="options">The connection string and settings.</param>
    /// <exception cref="ArgumentException">The options are invalid (no connection string, an in-memory database, ...).</exception>
    public SqliteKeyStore(SqliteStoreOptions options)
        : this(options, null)
    {
    }

    /// <summary>Creates a store on the database file that <paramref name="options"/> names.</summary>
    /// <param name="options">The connection string and settings.</param>
    /// <param name="loggerFactory">Creates the store's logger; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentException">The options are invalid (no connection string, an in-memory database, ...).</exception>
    /// <remarks>
    /// <see cref="ManagedKey.NextDueAt"/> uses <see cref="IronCageConstants.DefaultExpiryWarningLead"/> for policies
    /// without their own lead; registered with <see cref="SqliteIronCageBuilderExtensions.PersistToSqlite(IIronCageBuilder, string)"/>
    /// the store uses <see cref="IronCageOptions.DefaultExpiryWarningLead"/>.
    /// </remarks>
    public SqliteKeyStore(SqliteStoreOptions options, ILoggerFactory? loggerFactory)
        : this(new SqliteDatabase(options, loggerFactory), ownsDatabase: true, IronCageConstants.DefaultExpiryWarningLead)
    {
    }

    internal SqliteKeyStore(SqliteDatabase database, bool ownsDatabase, Duration defaultExpiryWarningLead, KeyStateGuard? guard = null)
    {
        _database = database;
        _ownsDatabase = ownsDatabase;
        _defaultExpiryWarningLead = defaultExpiryWarningLead;
        _guard = guard;
        _sealer = guard is null ? null : new SqliteStateSealer(database, guard);
        _changes = new SqliteKeyChangePoller(database, this);
    }

    /// <inheritdoc />
    public async ValueTask<ManagedKey?> FindAsync(KeyReference key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = SelectKeys + " WHERE k.reference = $reference ORDER BY v.ordinal;";
            command.Parameters.AddWithValue("$reference", key.ToString());
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await new KeyCursor(reader, _guard).NextAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<ManagedKey> GetAsync(KeyReference key, CancellationToken cancellationToken = default)
        => await FindAsync(key, cancellationToken).ConfigureAwait(false) ?? throw new ManagedKeyNotFoundException(key);

    /// <inheritdoc />
    public async IAsyncEnumerable<ManagedKey> ListAsync(ProviderId? provider = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            // One statement reads keys and versions from one snapshot of the file, in reference order (BINARY collation:
            // byte order, which for the ASCII references IronCage allows is ordinal order).
            command.CommandText = provider is { } only
                ? SelectKeys + " WHERE k.provider = $provider ORDER BY k.reference, v.ordinal;"
                : SelectKeys + " ORDER BY k.reference, v.ordinal;";
            if (provider is { } p)
            {
                command.Parameters.AddWithValue("$provider", p.Value);
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
        cancellationToken.ThrowIfCancellationRequested();
        var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            // NULL sorts first in SQLite, so rows from before the column existed come first, as the contract asks.
            command.CommandText = "SELECT reference FROM ironcage_keys WHERE next_due_at IS NULL OR next_due_at <= $now ORDER BY next_due_at, reference LIMIT $limit;";
            command.Parameters.AddWithValue("$now", SqliteValues.Ticks(now));
            command.Parameters.AddWithValue("$limit", limit);
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

    /// <inheritdoc />
    /// <remarks>One count and one page query (filters in SQL, labels through <c>json_each</c>); only the page's keys and versions are read.</remarks>
    public async ValueTask<KeyListPage> ListPageAsync(KeyListQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        query.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // One read transaction: the count and the page come from the same snapshot of the file.
            var snapshot = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (snapshot.ConfigureAwait(false))
            {
                using var count = Filtered(snapshot, query, "SELECT count(*) FROM ironcage_keys AS k");
                var total = Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
                var keys = new List<ManagedKey>(Math.Min(query.Limit, Math.Max(total - query.Offset, 0)));
                if (total > query.Offset)
                {
                    using var page = Filtered(snapshot, query, "WITH page AS (SELECT k.reference FROM ironcage_keys AS k");
                    page.CommandText += " ORDER BY k.reference LIMIT $limit OFFSET $offset) " + SelectKeys + " WHERE k.reference IN (SELECT reference FROM page) ORDER BY k.reference, v.ordinal;";
                    page.Parameters.AddWithValue("$limit", query.Limit);
                    page.Parameters.AddWithValue("$offset", query.Offset);
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

                return new KeyListPage(keys, total);
            }
        }
    }

    // The query's filters as a WHERE clause after "select": stage through the versions table, labels through json_each.
    private static SqliteCommand Filtered(SqliteTransaction transaction, KeyListQuery query, string select)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        var where = new List<string>();
        if (query.Provider is { } provider)
        {
            where.Add("k.provider = $provider");
            command.Parameters.AddWithValue("$provider", provider.Value);
        }

        if (query.LabelName is { } labelName)
        {
            where.Add(query.LabelValue is null
                ? "EXISTS (SELECT 1 FROM json_each(k.labels) AS l WHERE l.key = $label_name)"
                : "EXISTS (SELECT 1 FROM json_each(k.labels) AS l WHERE l.key = $label_name AND l.value = $label_value)");
            command.Parameters.AddWithValue("$label_name", labelName);
            if (query.LabelValue is { } labelValue)
            {
                command.Parameters.AddWithValue("$label_value", labelValue);
            }
        }

        if (query.Stage is { } stage)
        {
            where.Add("EXISTS (SELECT 1 FROM ironcage_key_versions AS s WHERE s.reference = k.reference AND s.stage = $stage)");
            command.Parameters.AddWithValue("$stage", (int)stage);
        }

        if (query.Overdue is { } overdue)
        {
            // Never is stored as the largest instant, so it is never at or before now.
            where.Add(overdue ? "k.next_due_at IS NOT NULL AND k.next_due_at <= $now" : "(k.next_due_at IS NULL OR k.next_due_at > $now)");
            command.Parameters.AddWithValue("$now", SqliteValues.Ticks(query.AsOf));
        }

        command.CommandText = where.Count == 0 ? select : select + " WHERE " + string.Join(" AND ", where);
        return command;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Raised for this store object's own writes when they commit, and for every other process's (or store object's)
    /// writes to the same file within about <see cref="SqliteConstants.KeyChangePollInterval"/>: while anyone listens,
    /// the store polls the file's key counter (docs/storage.md, "Change feeds").
    /// </remarks>
    public event EventHandler<KeyChangedEventArgs>? KeyChanged
    {
        add => _changes.AddChanged(value);
        remove => _changes.RemoveChanged(value);
    }

    /// <inheritdoc />
    /// <remarks>Raised once when the cross-process poll takes its first reading, since a key cached before it may have changed unseen.</remarks>
    public event EventHandler? ChangesMissed
    {
        add => _changes.AddMissed(value);
        remove => _changes.RemoveMissed(value);
    }

    /// <inheritdoc />
    public async ValueTask<ManagedKey> CreateAsync(ManagedKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        key.Validate();
        var row = KeyRow.From(key, _defaultExpiryWarningLead);
        await EnsureStateSealedAsync(cancellationToken).ConfigureAwait(false);

        var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            var token = await write.NextTokenAsync(TokenSequence, cancellationToken).ConfigureAwait(false);
            using (var insert = write.Command("""
                INSERT INTO ironcage_keys (reference, provider, name, kind, description, labels, scope, policy, limits, created_at, token, next_due_at)
                VALUES ($reference, $provider, $name, $kind, $description, $labels, $scope, $policy, $limits, $created_at, $token, $next_due_at)
                ON CONFLICT (reference) DO NOTHING;
                """))
            {
                row.Bind(insert, token);
                insert.Parameters.AddWithValue("$provider", key.Provider.Value);
                insert.Parameters.AddWithValue("$name", key.Name);
                if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    throw new ManagedKeyAlreadyExistsException(key.Reference);
                }
            }

            await InsertVersionsAsync(write, row, key, cancellationToken).ConfigureAwait(false);
            CommitAnnounced(write, key.Reference, token);
            return Stored(key, token, row.NextDueAt);
        }
    }

    /// <inheritdoc />
    public async ValueTask<ManagedKey> UpdateAsync(ManagedKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        key.Validate();
        await PrepareWriteAsync(cancellationToken).ConfigureAwait(false);

        var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            var stored = await UpdateInAsync(write, key, cancellationToken).ConfigureAwait(false);
            CommitAnnounced(write, stored.Reference, stored.ConcurrencyToken);
            return stored;
        }
    }

    /// <summary>Seals legacy versions once, before the first write transaction (it takes the write lock itself).</summary>
    internal ValueTask PrepareWriteAsync(CancellationToken cancellationToken) => EnsureStateSealedAsync(cancellationToken);

    internal SqliteDatabase Database => _database;

    /// <summary>Writes a validated key's change inside <paramref name="write"/>; the caller commits with <see cref="CommitAnnounced(SqliteWrite, KeyReference, long)"/>.</summary>
    internal async ValueTask<ManagedKey> UpdateInAsync(SqliteWrite write, ManagedKey key, CancellationToken cancellationToken)
    {
        var row = KeyRow.From(key, _defaultExpiryWarningLead);
        var token = await write.NextTokenAsync(TokenSequence, cancellationToken).ConfigureAwait(false);
        using (var update = write.Command("""
            UPDATE ironcage_keys
            SET kind = $kind, description = $description, labels = $labels, scope = $scope, policy = $policy, limits = $limits,
                created_at = $created_at, token = $token, next_due_at = $next_due_at
            WHERE reference = $reference AND token = $expected;
            """))
        {
            row.Bind(update, token);
            update.Parameters.AddWithValue("$expected", key.ConcurrencyToken);
            if (await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                var actual = await ReadTokenAsync(write, row.Reference, cancellationToken).ConfigureAwait(false);
                Log.KeyConflict(_database.Logger, key.Reference, key.ConcurrencyToken, actual);
                throw new ConcurrencyConflictException(key.Reference, key.ConcurrencyToken, actual);
            }
        }

        // The versions are replaced as a whole: the key's row and its versions change in one transaction.
        using (var delete = write.Command("DELETE FROM ironcage_key_versions WHERE reference = $reference;"))
        {
            delete.Parameters.AddWithValue("$reference", row.Reference);
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await InsertVersionsAsync(write, row, key, cancellationToken).ConfigureAwait(false);
        return Stored(key, token, row.NextDueAt);
    }

    /// <inheritdoc />
    public async ValueTask DeleteAsync(KeyReference key, long expectedConcurrencyToken, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var reference = key.ToString();
        var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            var actual = await ReadTokenAsync(write, reference, cancellationToken).ConfigureAwait(false);
            if (actual is null)
            {
                throw new ManagedKeyNotFoundException(key);
            }

            if (actual != expectedConcurrencyToken)
            {
                Log.KeyConflict(_database.Logger, key, expectedConcurrencyToken, actual);
                throw new ConcurrencyConflictException(key, expectedConcurrencyToken, actual);
            }

            using (var delete = write.Command("DELETE FROM ironcage_key_versions WHERE reference = $reference; DELETE FROM ironcage_keys WHERE reference = $reference;"))
            {
                delete.Parameters.AddWithValue("$reference", reference);
                await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            // A delete moves the key counter too, so other processes' change feeds see it (SqliteKeyChangePoller).
            var deleted = await write.NextTokenAsync(TokenSequence, cancellationToken).ConfigureAwait(false);
            CommitAnnounced(write, key, deleted);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _changes.Dispose();
        if (_ownsDatabase)
        {
            _database.Dispose();
        }
    }

    // The token is noted as this store's own before the commit, so the cross-process poll never announces this write a
    // second time; while the write lock is held no other writer can take the same token, and a failed commit forgets it.
    /// <summary>Commits <paramref name="write"/>, which changed every key of <paramref name="changed"/>, and announces them (see <see cref="CommitAnnounced(SqliteWrite, KeyReference, long)"/>).</summary>
    internal void CommitAnnounced(SqliteWrite write, IReadOnlyList<ManagedKey> changed)
    {
        foreach (var key in changed)
        {
            _changes.Expect(key.ConcurrencyToken);
        }

        try
        {
            write.Commit();
        }
        catch
        {
            foreach (var key in changed)
            {
                _changes.Forget(key.ConcurrencyToken);
            }

            throw;
        }

        foreach (var key in changed)
        {
            _changes.Raise(key.Reference);
        }
    }

    internal void CommitAnnounced(SqliteWrite write, KeyReference key, long token)
    {
        _changes.Expect(token);
        try
        {
            write.Commit();
        }
        catch
        {
            _changes.Forget(token);
            throw;
        }

        _changes.Raise(key);
    }

    private static ManagedKey Stored(ManagedKey key, long token, Instant? nextDueAt) => key with
    {
        ConcurrencyToken = token,
        NextDueAt = nextDueAt,
        // ManagedKey's setters copy caller collections; metadata is copied by KeyVersion's the same way.
        Versions = [.. key.Versions],
    };

    private static async ValueTask<long?> ReadTokenAsync(SqliteWrite write, string reference, CancellationToken cancellationToken)
    {
        using var select = write.Command("SELECT token FROM ironcage_keys WHERE reference = $reference;");
        select.Parameters.AddWithValue("$reference", reference);
        return await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long token ? token : null;
    }

    private async ValueTask InsertVersionsAsync(SqliteWrite write, KeyRow row, ManagedKey key, CancellationToken cancellationToken)
    {
        var versions = key.Versions;
        if (versions.Count == 0)
        {
            return;
        }

        // One prepared statement for every version: only the parameter values change between rows.
        using var insert = write.Command(InsertVersion);
        var reference = SqliteValues.Parameter(insert, "$reference", SqliteType.Text);
        var ordinal = SqliteValues.Parameter(insert, "$ordinal", SqliteType.Integer);
        var versionId = SqliteValues.Parameter(insert, "$version_id", SqliteType.Text);
        var providerKeyId = SqliteValues.Parameter(insert, "$provider_key_id", SqliteType.Text);
        var stage = SqliteValues.Parameter(insert, "$stage", SqliteType.Integer);
        var createdAt = SqliteValues.Parameter(insert, "$created_at", SqliteType.Integer);
        var activatedAt = SqliteValues.Parameter(insert, "$activated_at", SqliteType.Integer);
        var expiresAt = SqliteValues.Parameter(insert, "$expires_at", SqliteType.Integer);
        var revokedAt = SqliteValues.Parameter(insert, "$revoked_at", SqliteType.Integer);
        var killedAt = SqliteValues.Parameter(insert, "$killed_at", SqliteType.Integer);
        var lastUsedAt = SqliteValues.Parameter(insert, "$last_used_at", SqliteType.Integer);
        var displayHint = SqliteValues.Parameter(insert, "$display_hint", SqliteType.Text);
        var fingerprint = SqliteValues.Parameter(insert, "$fingerprint", SqliteType.Text);
        var secretFormat = SqliteValues.Parameter(insert, "$secret_format", SqliteType.Integer);
        var kekId = SqliteValues.Parameter(insert, "$kek_id", SqliteType.Text);
        var wrappedDataKey = SqliteValues.Parameter(insert, "$wrapped_data_key", SqliteType.Blob);
        var nonce = SqliteValues.Parameter(insert, "$nonce", SqliteType.Blob);
        var ciphertext = SqliteValues.Parameter(insert, "$ciphertext", SqliteType.Blob);
        var metadata = SqliteValues.Parameter(insert, "$metadata", SqliteType.Text);
        var stateMac = SqliteValues.Parameter(insert, "$state_mac", SqliteType.Text);
        insert.Prepare();

        reference.Value = row.Reference;
        for (var i = 0; i < versions.Count; i++)
        {
            var version = versions[i];
            ordinal.Value = i;
            versionId.Value = version.VersionId;
            providerKeyId.Value = SqliteValues.OrNull(version.ProviderKeyId);
            stage.Value = (int)version.Stage;
            createdAt.Value = SqliteValues.Ticks(version.CreatedAt);
            activatedAt.Value = SqliteValues.Ticks(version.ActivatedAt);
            expiresAt.Value = SqliteValues.Ticks(version.ExpiresAt);
            revokedAt.Value = SqliteValues.Ticks(version.RevokedAt);
            killedAt.Value = SqliteValues.Ticks(version.KilledAt);
            lastUsedAt.Value = SqliteValues.Ticks(version.LastUsedAt);
            displayHint.Value = version.DisplayHint;
            fingerprint.Value = version.Fingerprint;
            secretFormat.Value = version.Secret.FormatVersion;
            kekId.Value = version.Secret.KeyEncryptionKeyId;
            wrappedDataKey.Value = version.Secret.WrappedDataKey.ToArray();
            nonce.Value = version.Secret.Nonce.ToArray();
            ciphertext.Value = version.Secret.Ciphertext.ToArray();
            metadata.Value = StorageJson.WriteVersionMetadata(version);
            stateMac.Value = _guard is null ? DBNull.Value : _guard.Seal(key.Reference, version);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private ValueTask EnsureStateSealedAsync(CancellationToken cancellationToken)
        => _sealer?.EnsureSealedAsync(cancellationToken) ?? ValueTask.CompletedTask;

    private async ValueTask<SqliteConnection> OpenReadAsync(CancellationToken cancellationToken)
    {
        await _database.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await EnsureStateSealedAsync(cancellationToken).ConfigureAwait(false);
        return await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
    }

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
            CreatedAt = SqliteValues.Ticks(key.CreatedAt),
        };

        public void Bind(SqliteCommand command, long token)
        {
            command.Parameters.AddWithValue("$reference", Reference);
            command.Parameters.AddWithValue("$kind", Kind);
            command.Parameters.AddWithValue("$description", SqliteValues.OrNull(Description));
            command.Parameters.AddWithValue("$labels", Labels);
            command.Parameters.AddWithValue("$scope", Scope);
            command.Parameters.AddWithValue("$policy", Policy);
            command.Parameters.AddWithValue("$limits", Limits);
            command.Parameters.AddWithValue("$created_at", CreatedAt);
            command.Parameters.AddWithValue("$token", token);
            command.Parameters.AddWithValue("$next_due_at", NextDueAt is { } due ? SqliteValues.Ticks(due) : DBNull.Value);
        }
    }
}
