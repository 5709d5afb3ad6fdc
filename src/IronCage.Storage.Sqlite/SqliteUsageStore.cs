using System.Globalization;
using IronCage.Usage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Storage.Sqlite;

/// <summary>
/// An <see cref="IUsageStore"/> in a SQLite database file: usage records in <c>ironcage_usage</c>, budget windows and
/// reservations in <c>ironcage_budget_windows</c> and <c>ironcage_budget_reservations</c>. Thread-safe; several
/// instances and processes may share one file, and budget reservations stay atomic across all of them.
/// </summary>
/// <remarks>
/// A batch is written in one write transaction (<c>BEGIN IMMEDIATE</c>) with one prepared statement reused for every
/// record, so it is stored whole or not at all. Instants are INTEGER unix ticks and windows are computed in SQL from
/// them (calendar months with SQLite's <c>start of month</c>, UTC). Amounts are exact: stored as invariant decimal
/// text, summed by a decimal aggregate the store registers on its connections, never as floating point. A reservation
/// reads and moves its window's committed total inside the file's write lock, so it is atomic with respect to every
/// other writer of the file. While usage tracking listens to <see cref="UsageChanged"/>, the store polls the file every
/// <see cref="SqliteConstants.UsagePollInterval"/> for usage that other processes appended.
/// </remarks>
public sealed class SqliteUsageStore : IUsageStore, IUsageChangeFeed, IDisposable
{
    private const string DecimalSum = "ironcage_decimal_sum";

    private const string InsertRecord = """
        INSERT INTO ironcage_usage (key_reference, minute, version_id, model, requests, errors, input_tokens, output_tokens, cost, cost_status)
        VALUES ($key_reference, $minute, $version_id, $model, $requests, $errors, $input_tokens, $output_tokens, $cost, $cost_status);
        """;

    private readonly SqliteDatabase _database;
    private readonly bool _ownsDatabase;
    private readonly SqliteUsageChangePoller _poller;

    /// <summary>Creates a store on the database file that <paramref name="options"/> names.</summary>
    /// <param name="options">The connection string and settings.</param>
    /// <exception cref="ArgumentException">The options are invalid (no connection string, an in-memory database, ...).</exception>
    public SqliteUsageStore(SqliteStoreOptions options)
        : this(options, null)
    {
    }

    /// <summary>Creates a store on the database file that <paramref name="options"/> names.</summary>
    /// <param name="options">The connection string and settings.</param>
    /// <param name="loggerFactory">Creates the store's logger; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentException">The options are invalid (no connection string, an in-memory database, ...).</exception>
    public SqliteUsageStore(SqliteStoreOptions options, ILoggerFactory? loggerFactory)
        : this(new SqliteDatabase(options, loggerFactory), ownsDatabase: true)
    {
    }

    internal SqliteUsageStore(SqliteDatabase database, bool ownsDatabase)
    {
        _database = database;
        _ownsDatabase = ownsDatabase;
        _poller = new SqliteUsageChangePoller(database);
    }

    /// <summary>
    /// Occurs when another process, or another store object over the same file, appended usage (on a background task,
    /// without naming the key). Polling runs only while someone listens.
    /// </summary>
    public event EventHandler<UsageChangedEventArgs>? UsageChanged
    {
        add => _poller.Add(value, this);
        remove => _poller.Remove(value);
    }

    /// <inheritdoc />
    public async Task AppendAsync(IReadOnlyCollection<UsageRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var record in records)
        {
            ArgumentNullException.ThrowIfNull(record, nameof(records));
            record.Validate();
        }

        if (records.Count == 0)
        {
            return;
        }

        var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            using var insert = write.Command(InsertRecord);
            var key = SqliteValues.Parameter(insert, "$key_reference", SqliteType.Text);
            var minute = SqliteValues.Parameter(insert, "$minute", SqliteType.Integer);
            var versionId = SqliteValues.Parameter(insert, "$version_id", SqliteType.Text);
            var model = SqliteValues.Parameter(insert, "$model", SqliteType.Text);
            var requests = SqliteValues.Parameter(insert, "$requests", SqliteType.Integer);
            var errors = SqliteValues.Parameter(insert, "$errors", SqliteType.Integer);
            var inputTokens = SqliteValues.Parameter(insert, "$input_tokens", SqliteType.Integer);
            var outputTokens = SqliteValues.Parameter(insert, "$output_tokens", SqliteType.Integer);
            var cost = SqliteValues.Parameter(insert, "$cost", SqliteType.Text);
            var costStatus = SqliteValues.Parameter(insert, "$cost_status", SqliteType.Integer);
            insert.Prepare();

            var count = 0;
            foreach (var record in records)
            {
                // Checked every 1,024 rows: a cancelled batch rolls back whole, and the check costs nothing per row.
                if ((++count & 1023) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                key.Value = record.Key.ToString();
                minute.Value = SqliteValues.Ticks(record.Minute);
                versionId.Value = SqliteValues.OrNull(record.VersionId);
                model.Value = SqliteValues.OrNull(record.Model);
                requests.Value = record.Requests;
                errors.Value = record.Errors;
                inputTokens.Value = record.InputTokens;
                outputTokens.Value = record.OutputTokens;
                cost.Value = record.Cost.ToString(CultureInfo.InvariantCulture);
                costStatus.Value = (int)record.CostStatus;

                // Microsoft.Data.Sqlite runs statements synchronously; the async overload would only add a task per row.
#pragma warning disable CA1849 // Call async methods when in an async method
                insert.ExecuteNonQuery();
#pragma warning restore CA1849
            }

            cancellationToken.ThrowIfCancellationRequested();
            using var lastId = write.Command("SELECT last_insert_rowid();");
#pragma warning disable CA1849 // Microsoft.Data.Sqlite runs statements synchronously.
            var last = Convert.ToInt64(lastId.ExecuteScalar(), CultureInfo.InvariantCulture);
#pragma warning restore CA1849
            write.Commit();
            _poller.Appended(last, count);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<UsageAggregate>> AggregateAsync(UsageAggregateQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        var window = WindowExpression(query.Granularity);
        var model = query.ByModel ? "model" : "NULL";
        var sql = $"""
            SELECT key_reference, {window} AS window_start, {model} AS model_group,
                   sum(requests), sum(errors), sum(input_tokens), sum(output_tokens),
                   {DecimalSum}(CASE WHEN cost_status = {(int)UsageCostStatus.Unpriced} THEN NULL ELSE cost END),
                   sum(CASE WHEN cost_status = {(int)UsageCostStatus.Unpriced} THEN requests ELSE 0 END)
            FROM ironcage_usage
            WHERE minute >= $from AND minute < $to{(query.Key is null ? string.Empty : " AND key_reference = $key")}
            GROUP BY key_reference, window_start, model_group;
            """;

        var aggregates = new List<UsageAggregate>();
        await _database.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            RegisterFunctions(connection);
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("$from", SqliteValues.Ticks(query.From));
            command.Parameters.AddWithValue("$to", SqliteValues.Ticks(query.To));
            if (query.Key is { } only)
            {
                command.Parameters.AddWithValue("$key", only.ToString());
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
                        Cost = ParseAmount(reader.GetString(7)),
                        UnpricedRequests = reader.GetInt64(8),
                    });
                }
            }
        }

        // Ordered here, with the comparers of the contract, rather than by SQLite's byte-wise collation.
        return [.. aggregates
            .OrderBy(a => a.Key.ToString(), StringComparer.Ordinal)
            .ThenBy(a => a.WindowStart)
            .ThenBy(a => a.Model, StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public async Task<BudgetReservationResult> TryReserveAsync(BudgetReservation reservation, decimal limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        ArgumentOutOfRangeException.ThrowIfNegative(reservation.Amount, nameof(reservation));
        cancellationToken.ThrowIfCancellationRequested();

        var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            using (var exists = write.Command("SELECT 1 FROM ironcage_budget_reservations WHERE id = $id;"))
            {
                exists.Parameters.AddWithValue("$id", reservation.Id.ToString("D"));
                if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
                {
                    throw new ArgumentException($"Reservation {reservation.Id} already exists; every reservation needs a new id.", nameof(reservation));
                }
            }

            var committed = await ReadCommittedAsync(write.Connection, write.Transaction, reservation.Budget, reservation.WindowStart, cancellationToken).ConfigureAwait(false);
            if (committed + reservation.Amount > limit)
            {
                return new BudgetReservationResult(false, committed);
            }

            using (var move = write.Command("""
                INSERT INTO ironcage_budget_windows (budget, window_start, committed) VALUES ($budget, $window_start, $committed)
                ON CONFLICT (budget, window_start) DO UPDATE SET committed = excluded.committed;
                INSERT INTO ironcage_budget_reservations (id, budget, window_start, amount, created_at, settled)
                VALUES ($id, $budget, $window_start, $amount, $created_at, 0);
                """))
            {
                move.Parameters.AddWithValue("$budget", reservation.Budget);
                move.Parameters.AddWithValue("$window_start", SqliteValues.Ticks(reservation.WindowStart));
                move.Parameters.AddWithValue("$committed", (committed + reservation.Amount).ToString(CultureInfo.InvariantCulture));
                move.Parameters.AddWithValue("$id", reservation.Id.ToString("D"));
                move.Parameters.AddWithValue("$amount", reservation.Amount.ToString(CultureInfo.InvariantCulture));
                move.Parameters.AddWithValue("$created_at", SqliteValues.Ticks(reservation.CreatedAt));
                await move.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            write.Commit();
            return new BudgetReservationResult(true, committed);
        }
    }

    /// <inheritdoc />
    public async Task<bool> SettleAsync(Guid reservationId, decimal actualAmount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(actualAmount);
        cancellationToken.ThrowIfCancellationRequested();

        var write = await _database.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            string budget;
            long windowStart;
            decimal reserved;
            using (var select = write.Command("SELECT budget, window_start, amount FROM ironcage_budget_reservations WHERE id = $id AND settled = 0;"))
            {
                select.Parameters.AddWithValue("$id", reservationId.ToString("D"));
                var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        return false;
                    }

                    (budget, windowStart, reserved) = (reader.GetString(0), reader.GetInt64(1), ParseAmount(reader.GetString(2)));
                }
            }

            var committed = await ReadCommittedAsync(write.Connection, write.Transaction, budget, Instant.FromUnixTimeTicks(windowStart), cancellationToken).ConfigureAwait(false);
            using (var settle = write.Command("""
                UPDATE ironcage_budget_windows SET committed = $committed WHERE budget = $budget AND window_start = $window_start;
                UPDATE ironcage_budget_reservations SET amount = $amount, settled = 1 WHERE id = $id;
                """))
            {
                settle.Parameters.AddWithValue("$committed", (committed + actualAmount - reserved).ToString(CultureInfo.InvariantCulture));
                settle.Parameters.AddWithValue("$budget", budget);
                settle.Parameters.AddWithValue("$window_start", windowStart);
                settle.Parameters.AddWithValue("$amount", actualAmount.ToString(CultureInfo.InvariantCulture));
                settle.Parameters.AddWithValue("$id", reservationId.ToString("D"));
                await settle.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            write.Commit();
            return true;
        }
    }

    /// <inheritdoc />
    public async Task<decimal> GetCommittedAsync(string budget, Instant windowStart, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(budget);
        cancellationToken.ThrowIfCancellationRequested();
        await _database.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await ReadCommittedAsync(connection, null, budget, windowStart, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _poller.Dispose();
        if (_ownsDatabase)
        {
            _database.Dispose();
        }
    }

    /// <summary>The SQL that maps the <c>minute</c> column (unix ticks) to the start of its window, in ticks, as <see cref="UsageWindowExtensions.StartOf"/> does.</summary>
    internal static string WindowExpression(UsageWindow window)
    {
        // Floor (not truncation toward zero) so instants before 1970 fall in the right window too.
        static string Floor(string value, long size) => string.Create(CultureInfo.InvariantCulture, $"({value} - ((({value}) % {size}) + {size}) % {size})");

        return window switch
        {
            UsageWindow.Minute => Floor("minute", TimeSpan.TicksPerMinute),
            UsageWindow.Hour => Floor("minute", TimeSpan.TicksPerHour),
            UsageWindow.Day => Floor("minute", TimeSpan.TicksPerDay),
            UsageWindow.Month => string.Create(
                CultureInfo.InvariantCulture,
                $"(CAST(strftime('%s', {Floor("minute", TimeSpan.TicksPerSecond)} / {TimeSpan.TicksPerSecond}, 'unixepoch', 'start of month') AS INTEGER) * {TimeSpan.TicksPerSecond})"),
            _ => throw new ArgumentOutOfRangeException(nameof(window), window, "Unknown usage window."),
        };
    }

    private static decimal ParseAmount(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);

    private static void RegisterFunctions(SqliteConnection connection)
        => connection.CreateAggregate<string?, decimal, string>(
            DecimalSum,
            0m,
            static (sum, amount) => amount is null ? sum : sum + ParseAmount(amount),
            static sum => sum.ToString(CultureInfo.InvariantCulture),
            isDeterministic: true);

    private static async Task<decimal> ReadCommittedAsync(SqliteConnection connection, SqliteTransaction? transaction, string budget, Instant windowStart, CancellationToken cancellationToken)
    {
        using var select = connection.CreateCommand();
        select.Transaction = transaction;
        select.CommandText = "SELECT committed FROM ironcage_budget_windows WHERE budget = $budget AND window_start = $window_start;";
        select.Parameters.AddWithValue("$budget", budget);
        select.Parameters.AddWithValue("$window_start", SqliteValues.Ticks(windowStart));
        return await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string committed ? ParseAmount(committed) : 0m;
    }
}
