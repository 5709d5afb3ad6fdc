using IronCage.Usage;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace IronCage.Storage.PostgreSql;

/// <summary>
/// Announces managed keys changed by any instance that shares the database: listens (<c>LISTEN</c>) on
/// <see cref="PostgreSqlConstants.KeyChangeChannel"/>, on which <see cref="PostgreSqlKeyStore"/> sends the key's reference
/// with every committed create, update (kill, rotation promotion, ...) and delete. For caches that must drop a key as
/// soon as it changes anywhere. On the same connection it listens on <see cref="PostgreSqlConstants.UsageChangeChannel"/>,
/// on which <see cref="PostgreSqlUsageStore"/> announces each committed usage flush, and raises <see cref="UsageChanged"/>
/// for other instances' flushes, so usage tracking reads them at once.
/// </summary>
/// <remarks>
/// <para>
/// Registered by <c>PersistToPostgreSql</c> and started with the host; standalone, call <see cref="StartAsync"/>.
/// Notifications are at most once: while the feed's connection is lost (it reconnects by itself) changes are not
/// announced, so a consumer should treat <see cref="Reconnected"/> as "anything may have changed".
/// </para>
/// <para>
/// <c>LISTEN</c> needs a session of its own: behind PgBouncer in transaction mode, give the feed a direct connection
/// to PostgreSQL (its own <see cref="PostgreSqlStoreOptions"/>). The stores themselves need no session state.
/// </para>
/// </remarks>
public sealed class PostgreSqlKeyChangeFeed : IKeyChangeFeed, IUsageChangeFeed, IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    private readonly PostgreSqlDatabase _database;
    private readonly bool _ownsDatabase;
    private readonly object _gate = new();
    private CancellationTokenSource? _stopping;
    private Task? _loop;

    /// <summary>Creates a feed on the database that <paramref name="options"/> names.</summary>
    /// <param name="options">The connection string (or data source).</param>
    /// <param name="loggerFactory">Creates the feed's logger; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentException">The options are invalid (no connection string, ...).</exception>
    public PostgreSqlKeyChangeFeed(PostgreSqlStoreOptions options, ILoggerFactory? loggerFactory = null)
        : this(new PostgreSqlDatabase(options, loggerFactory), ownsDatabase: true)
    {
    }

    internal PostgreSqlKeyChangeFeed(PostgreSqlDatabase database, bool ownsDatabase)
    {
        _database = database;
        _ownsDatabase = ownsDatabase;
    }

    /// <summary>Occurs when a managed key changed, on the feed's background task. Handlers should be quick; an exception a handler throws is logged and does not stop the feed.</summary>
    public event EventHandler<KeyChangedEventArgs>? KeyChanged;

    /// <summary>
    /// Occurs when another instance committed usage of a key, on the feed's background task. Flushes of the instance that
    /// shares this feed's database (the same <c>PersistToPostgreSql</c> registration) are not announced to it.
    /// </summary>
    public event EventHandler<UsageChangedEventArgs>? UsageChanged;

    /// <summary>Occurs when the feed listens again after losing its connection: changes made meanwhile were not announced.</summary>
    public event EventHandler? Reconnected;

    /// <inheritdoc />
    /// <remarks>The same as <see cref="Reconnected"/>.</remarks>
    event EventHandler? IKeyChangeFeed.ChangesMissed
    {
        add => Reconnected += value;
        remove => Reconnected -= value;
    }

    /// <summary>Gets a value indicating whether the feed is started and has not been stopped.</summary>
    public bool IsStarted
    {
        get
        {
            lock (_gate)
            {
                return _loop is not null;
            }
        }
    }

    /// <summary>Starts listening; returns once the first <c>LISTEN</c> is in place, so changes committed afterwards are announced.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>A task that completes when the feed listens.</returns>
    /// <exception cref="InvalidOperationException">The feed was started already.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_loop is not null)
            {
                throw new InvalidOperationException("The key change feed is started already.");
            }

            _stopping = new CancellationTokenSource();
        }

        var connection = await ListenAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _loop = Task.Run(() => RunAsync(connection, _stopping.Token), CancellationToken.None);
        }
    }

    /// <summary>Stops listening and waits for the background task to end.</summary>
    /// <param name="cancellationToken">Stops waiting (the feed still stops).</param>
    /// <returns>A task that completes when the feed stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        Task? loop;
        CancellationTokenSource? stopping;
        lock (_gate)
        {
            loop = _loop;
            stopping = _stopping;
            _loop = null;
            _stopping = null;
        }

        if (stopping is null)
        {
            return;
        }

        await stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            if (loop is not null)
            {
                await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            stopping.Dispose();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_ownsDatabase)
        {
            _database.Dispose();
        }
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task<NpgsqlConnection> ListenAsync(CancellationToken cancellationToken)
    {
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            connection.Notification += OnNotification;
            using var listen = new NpgsqlCommand($"LISTEN {PostgreSqlConstants.KeyChangeChannel}; LISTEN {PostgreSqlConstants.UsageChangeChannel};", connection);
            await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            Log.ChangeFeedListening(_database.Logger, _database.Name, PostgreSqlConstants.KeyChangeChannel);
            return connection;
        }
        catch
        {
            connection.Notification -= OnNotification;
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task RunAsync(NpgsqlConnection? connection, CancellationToken stopping)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    if (connection is null)
                    {
                        connection = await ListenAsync(stopping).ConfigureAwait(false);
                        Reconnected?.Invoke(this, EventArgs.Empty);
                    }

                    // Delivers pending notifications (through OnNotification) as they arrive.
                    await connection.WaitAsync(stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
                {
                    Log.ChangeFeedDisconnected(_database.Logger, e, _database.Name, ReconnectDelay);
                    await DropAsync(connection).ConfigureAwait(false);
                    connection = null;
                    try
                    {
                        await Task.Delay(ReconnectDelay, stopping).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            await DropAsync(connection).ConfigureAwait(false);
        }
    }

    private async Task DropAsync(NpgsqlConnection? connection)
    {
        if (connection is null)
        {
            return;
        }

        connection.Notification -= OnNotification;
        try
        {
            // Pooled connections are not reset when handed back (PostgreSqlDatabase.WithoutResetOnClose): stop listening
            // first, so a store call that gets this connection next is not sent every notification.
            if (connection.State == System.Data.ConnectionState.Open)
            {
                using var unlisten = new NpgsqlCommand("UNLISTEN *;", connection);
                await unlisten.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is NpgsqlException or IOException or InvalidOperationException)
        {
            // A broken connection is not pooled again.
        }

        try
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or IOException)
        {
            // The connection is gone either way.
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (string.Equals(e.Channel, PostgreSqlConstants.UsageChangeChannel, StringComparison.Ordinal))
        {
            OnUsageNotification(e);
            return;
        }

        if (!string.Equals(e.Channel, PostgreSqlConstants.KeyChangeChannel, StringComparison.Ordinal))
        {
            return;
        }

        if (!KeyReference.TryParse(e.Payload, out var key))
        {
            Log.ChangeFeedBadPayload(_database.Logger, e.Channel);
            return;
        }

        try
        {
            KeyChanged?.Invoke(this, new KeyChangedEventArgs(key));
        }
#pragma warning disable CA1031 // A consumer's bug must not stop the feed for every other consumer.
        catch (Exception handlerFailure)
#pragma warning restore CA1031
        {
            Log.ChangeFeedHandlerFailed(_database.Logger, handlerFailure, key);
        }
    }

    private void OnUsageNotification(NpgsqlNotificationEventArgs e)
    {
        // "<origin> <provider>/<name>": the origin tells this instance's own flushes apart.
        var separator = e.Payload.IndexOf(' ', StringComparison.Ordinal);
        if (separator <= 0 || !KeyReference.TryParse(e.Payload[(separator + 1)..], out var key))
        {
            Log.ChangeFeedBadPayload(_database.Logger, e.Channel);
            return;
        }

        if (e.Payload.AsSpan(0, separator).SequenceEqual(_database.Origin))
        {
            return;
        }

        try
        {
            UsageChanged?.Invoke(this, new UsageChangedEventArgs(key));
        }
#pragma warning disable CA1031 // A consumer's bug must not stop the feed for every other consumer.
        catch (Exception handlerFailure)
#pragma warning restore CA1031
        {
            Log.ChangeFeedHandlerFailed(_database.Logger, handlerFailure, key);
        }
    }
}
