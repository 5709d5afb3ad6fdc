using IronCage.Usage;
using Microsoft.Extensions.Logging;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace IronCage.Storage.PostgreSql;

/// <summary>
/// An <see cref="IUsageStore"/> in a PostgreSQL database: usage records in <c>ironcage_usage</c>, budget windows and
/// reservations in <c>ironcage_budget_windows</c> and <c>ironcage_budget_reservations</c>. Thread-safe; any number of
/// instances may share one database, and budget reservations stay atomic across all of them.
/// </summary>
/// <remarks>
/// A batch is written with one binary <c>COPY</c>, which PostgreSQL applies whole or not at all. Aggregates are
/// computed in SQL: each record's minute is truncated with <c>date_trunc</c> in UTC (calendar months for
/// <see cref="UsageWindow.Month"/>) and summed as <c>numeric</c>, so costs are exact. A reservation locks its budget
/// window's row (<c>SELECT … FOR UPDATE</c>), checks the limit and moves the committed total in the transaction that
/// records it; a settlement moves the total and closes the reservation in one statement, so settling twice finds
/// nothing open the second time. Only row locks are taken: the store works behind PgBouncer in transaction mode.
/// </remarks>
public sealed class PostgreSqlUsageStore : IUsageStore, IDisposable
{
    private const string Copy = "COPY ironcage_usage (key_reference, minute, version_id, model, requests, errors, input_tokens, output_tokens, cost, cost_status) FROM STDIN (FORMAT BINARY)";

    private readonly PostgreSqlDatabase _database;
    private readonly bool _ownsDatabase;

    /// <summary>Creates a store on the database that <paramref name="options"/> names.</summary>
    /// <param name="options">The connection string (or data source) and settings.</param>
    /// <exception cref="ArgumentException">The options are invalid (no connection string, ...).</exception>
    public PostgreSqlUsageStore(PostgreSqlStoreOptions options)
        : this(options, null)
    {
    }

    /// <summary>Creates a store on the database that <paramref name="options"/> names.</summary>
    /// <param name="options">The connection string (or data source) and settings.</param>
    /// <param name="loggerFactory">Creates the store's logger; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentException">The options are invalid (no connection string, ...).</exception>
    public PostgreSqlUsageStore(PostgreSqlStoreOptions options, ILoggerFactory? loggerFactory)
        : this(new PostgreSqlDatabase(options, loggerFactory), ownsDatabase: true)
    {
    }

    internal PostgreSqlUsageStore(PostgreSqlDatabase database, bool ownsDatabase)
    {
        _database = database;
        _ownsDatabase = ownsDatabase;
    }

    /// <inheritdoc />
    public Task AppendAsync(IReadOnlyCollection<UsageRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var record in records)
        {
            ArgumentNullException.ThrowIfNull(record, nameof(records));
            record.Validate();
        }

        return records.Count == 0 ? Task.CompletedTask : _database.GuardAsync(CopyAsync(records, cancellationToken)).AsTask();
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<UsageAggregate>> AggregateAsync(UsageAggregateQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        return _database.GuardAsync(AggregateCoreAsync(query, cancellationToken)).AsTask();
    }

    /// <inheritdoc />
    public Task<BudgetReservationResult> TryReserveAsync(BudgetReservation reservation, decimal limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        ArgumentOutOfRangeException.ThrowIfNegative(reservation.Amount, nameof(reservation));
        cancellationToken.ThrowIfCancellationRequested();
        return _database.GuardAsync(ReserveAsync(reservation, limit, cancellationToken)).AsTask();
    }

    /// <inheritdoc />
    public Task<bool> SettleAsync(Guid reservationId, decimal actualAmount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(actualAmount);
        cancellationToken.ThrowIfCancellationRequested();
        return _database.GuardAsync(SettleCoreAsync(reservationId, actualAmount, cancellationToken)).AsTask();
    }

    /// <inheritdoc />
    public Task<decimal> GetCommittedAsync(string budget, Instant windowStart, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(budget);
        cancellationToken.ThrowIfCancellationRequested();
        return _database.GuardAsync(ReadCommittedAsync(budget, windowStart, cancellationToken)).AsTask();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsDatabase)
        {
            _database.Dispose();
        }
    }

    /// <summary>The <c>date_trunc</c> field for a window.</summary>
    internal static string TruncateTo(UsageWindow window) => window switch
    {
        UsageWindow.Minute => "minute",
        UsageWindow.Hour => "hour",
        UsageWindow.Day => "day",
        UsageWindow.Month => "month",
        _ => throw new ArgumentOutOfRangeException(nameof(window), window, "Unknown usage window."),
    };

    private async ValueTask<bool> CopyAsync(IReadOnlyCollection<UsageRecord> records, CancellationToken cancellationToken)
    {
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // The COPY and its notifications are one transaction: PostgreSQL stores every row or, if it is not
            // completed (an error, a cancellation, a dropped connection), none, and announces the batch only if it commits.
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using var rollback = transaction.ConfigureAwait(false);
            var importer = await connection.BeginBinaryImportAsync(Copy, cancellationToken).ConfigureAwait(false);
            await using (importer.ConfigureAwait(false))
            {
                foreach (var record in records)
                {
                    await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(record.Key.ToString(), NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(PostgreSqlValues.Ticks(record.Minute), NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await WriteNullableAsync(importer, record.VersionId, cancellationToken).ConfigureAwait(false);
                    await WriteNullableAsync(importer, record.Model, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(record.Requests, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(record.Errors, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(record.InputTokens, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(record.OutputTokens, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(record.Cost, NpgsqlDbType.Numeric, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync((short)record.CostStatus, NpgsqlDbType.Smallint, cancellationToken).ConfigureAwait(false);
                }

                await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }

            using (var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @origin || ' ' || reference) FROM unnest(@references) AS reference;", connection, transaction))
            {
                notify.Parameters.AddWithValue("channel", PostgreSqlConstants.UsageChangeChannel);
                notify.Parameters.AddWithValue("origin", _database.Origin);
                notify.Parameters.AddWithValue("references", records.Select(r => r.Key.ToString()).Distinct(StringComparer.Ordinal).ToArray());
                await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            // Not cancellable: once the rows are in, they are committed as a whole rather than abandoned half-announced.
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return true;
    }

    private static ValueTask WriteNullableAsync(NpgsqlBinaryImporter importer, string? value, CancellationToken cancellationToken)
        => value is null ? new ValueTask(importer.WriteNullAsync(cancellationToken)) : new ValueTask(importer.WriteAsync(value, NpgsqlDbType.Text, cancellationToken));

    private async ValueTask<IReadOnlyList<UsageAggregate>> AggregateCoreAsync(UsageAggregateQuery query, CancellationToken cancellationToken)
    {
        var model = query.ByModel ? "model" : "NULL::text";

        // minute is unix ticks: floored to whole seconds in integers (exact), then truncated with date_trunc in UTC and
        // turned back into ticks. Unpriced records add their calls to unpriced_requests and nothing to the cost.
        var sql = $"""
            SELECT key_reference, (extract(epoch FROM window_utc)::bigint * {TimeSpan.TicksPerSecond}) AS window_start, model_group,
                   sum(requests)::bigint, sum(errors)::bigint, sum(input_tokens)::bigint, sum(output_tokens)::bigint,
                   coalesce(sum(cost) FILTER (WHERE cost_status <> {(int)UsageCostStatus.Unpriced}), 0),
                   coalesce(sum(requests) FILTER (WHERE cost_status = {(int)UsageCostStatus.Unpriced}), 0)::bigint
            FROM (
                SELECT key_reference, {model} AS model_group, requests, errors, input_tokens, output_tokens, cost, cost_status,
                       date_trunc(@field, to_timestamp(((minute - mod(mod(minute, {TimeSpan.TicksPerSecond}) + {TimeSpan.TicksPerSecond}, {TimeSpan.TicksPerSecond})) / {TimeSpan.TicksPerSecond})::double precision) AT TIME ZONE 'UTC') AS window_utc
                FROM ironcage_usage
                WHERE minute >= @from AND minute < @to{(query.Key is null ? string.Empty : " AND key_reference = @key")}
            ) AS u
            GROUP BY key_reference, window_utc, model_group;
            """;

        var aggregates = new List<UsageAggregate>();
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue("field", TruncateTo(query.Granularity));
            command.Parameters.AddWithValue("from", PostgreSqlValues.Ticks(query.From));
            command.Parameters.AddWithValue("to", PostgreSqlValues.Ticks(query.To));
            if (query.Key is { } only)
            {
                command.Parameters.AddWithValue("key", only.ToString());
            }

            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    aggregates.Add(new UsageAggregate
                    {
                        Key = KeyReference.Parse(reader.GetString(0)),
                        WindowStart = Instant.FromUnixTimeTicks(reader.GetInt64(1)),
                        Model = reader.IsDBNull(2) ? null : reader.GetString(2),
                        Requests = reader.GetInt64(3),
                        Errors = reader.GetInt64(4),
                        InputTokens = reader.GetInt64(5),
                        OutputTokens = reader.GetInt64(6),
                        Cost = reader.GetDecimal(7),
                        UnpricedRequests = reader.GetInt64(8),
                    });
                }
            }
        }

        // Ordered here, with the comparers of the contract (model null first), rather than by the server's collation.
        return [.. aggregates
            .OrderBy(a => a.Key.ToString(), StringComparer.Ordinal)
            .ThenBy(a => a.WindowStart)
            .ThenBy(a => a.Model, StringComparer.Ordinal)];
    }

    private async ValueTask<BudgetReservationResult> ReserveAsync(BudgetReservation reservation, decimal limit, CancellationToken cancellationToken)
    {
        var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            // The window's row exists (created at 0 by the first reservation) and is locked: every reservation of the
            // window, from any instance, waits here for the one before it to commit or roll back.
            decimal committed;
            using (var create = write.Command("INSERT INTO ironcage_budget_windows (budget, window_start, committed) VALUES (@budget, @window_start, 0) ON CONFLICT DO NOTHING;"))
            {
                create.Parameters.AddWithValue("budget", reservation.Budget);
                create.Parameters.AddWithValue("window_start", PostgreSqlValues.Ticks(reservation.WindowStart));
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            using (var lockWindow = write.Command("SELECT committed FROM ironcage_budget_windows WHERE budget = @budget AND window_start = @window_start FOR UPDATE;"))
            {
                lockWindow.Parameters.AddWithValue("budget", reservation.Budget);
                lockWindow.Parameters.AddWithValue("window_start", PostgreSqlValues.Ticks(reservation.WindowStart));
                committed = (decimal)(await lockWindow.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            }

            using (var insert = write.Command("""
                INSERT INTO ironcage_budget_reservations (id, budget, window_start, amount, created_at, settled)
                VALUES (@id, @budget, @window_start, @amount, @created_at, false)
                ON CONFLICT (id) DO NOTHING;
                """))
            {
                insert.Parameters.AddWithValue("id", reservation.Id);
                insert.Parameters.AddWithValue("budget", reservation.Budget);
                insert.Parameters.AddWithValue("window_start", PostgreSqlValues.Ticks(reservation.WindowStart));
                insert.Parameters.AddWithValue("amount", reservation.Amount);
                insert.Parameters.AddWithValue("created_at", PostgreSqlValues.Ticks(reservation.CreatedAt));
                if (await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
                {
                    throw new ArgumentException($"Reservation {reservation.Id} already exists; every reservation needs a new id.", nameof(reservation));
                }
            }

            if (committed + reservation.Amount > limit)
            {
                // Rolled back with the transaction: the refused reservation is not kept.
                return new BudgetReservationResult(false, committed);
            }

            using (var move = write.Command("UPDATE ironcage_budget_windows SET committed = committed + @amount WHERE budget = @budget AND window_start = @window_start;"))
            {
                move.Parameters.AddWithValue("amount", reservation.Amount);
                move.Parameters.AddWithValue("budget", reservation.Budget);
                move.Parameters.AddWithValue("window_start", PostgreSqlValues.Ticks(reservation.WindowStart));
                await move.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await write.CommitAsync().ConfigureAwait(false);
            return new BudgetReservationResult(true, committed);
        }
    }

    private async ValueTask<bool> SettleCoreAsync(Guid reservationId, decimal actualAmount, CancellationToken cancellationToken)
    {
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // One statement, so one transaction: lock the open reservation, close it at the real amount, and move its
            // window by the difference. A second settlement waits for the first, then finds it closed.
            using var settle = new NpgsqlCommand(
                """
                WITH pending AS (
                    SELECT id, budget, window_start, amount FROM ironcage_budget_reservations WHERE id = @id AND NOT settled FOR UPDATE
                ), closed AS (
                    UPDATE ironcage_budget_reservations AS r SET amount = @actual, settled = true
                    FROM pending WHERE r.id = pending.id
                    RETURNING pending.budget, pending.window_start, pending.amount AS reserved
                )
                UPDATE ironcage_budget_windows AS w SET committed = w.committed + @actual - closed.reserved
                FROM closed WHERE w.budget = closed.budget AND w.window_start = closed.window_start;
                """,
                connection);
            settle.Parameters.AddWithValue("id", reservationId);
            settle.Parameters.AddWithValue("actual", actualAmount);
            return await settle.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }
    }

    private async ValueTask<decimal> ReadCommittedAsync(string budget, Instant windowStart, CancellationToken cancellationToken)
    {
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var select = new NpgsqlCommand("SELECT committed FROM ironcage_budget_windows WHERE budget = @budget AND window_start = @window_start;", connection);
            select.Parameters.AddWithValue("budget", budget);
            select.Parameters.AddWithValue("window_start", PostgreSqlValues.Ticks(windowStart));
            return await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is decimal committed ? committed : 0m;
        }
    }
}
