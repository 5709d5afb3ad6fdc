using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace IronCage.Storage.Sqlite;

/// <summary>
/// The SQLite key store's change feed across processes. SQLite has no notifications, so while anyone listens this
/// reads the <c>key_token</c> counter of <c>ironcage_sequences</c> every <see cref="SqliteConstants.KeyChangePollInterval"/>
/// (one primary-key lookup). Every create, update (kills and promotions included) and delete takes the next value of
/// that counter in its write transaction, so a moved counter means some key changed; only then are the keys' tokens
/// read and compared with the last reading, and <see cref="IKeyChangeFeed.KeyChanged"/> is raised for each key that
/// another process (or another store object over the file) created, changed or deleted. This store's own writes are
/// announced when they commit and are not announced again.
/// </summary>
internal sealed class SqliteKeyChangePoller(SqliteDatabase database, object sender) : IDisposable
{
    private readonly object _gate = new();
    private readonly ConcurrentDictionary<long, byte> _ownTokens = new();
    private EventHandler<KeyChangedEventArgs>? _changed;
    private EventHandler? _missed;
    private CancellationTokenSource? _polling;

    public void AddChanged(EventHandler<KeyChangedEventArgs>? handler)
    {
        lock (_gate)
        {
            _changed += handler;
            if (_polling is null && _changed is not null)
            {
                _polling = new CancellationTokenSource();
                var stopping = _polling.Token;
                _ = Task.Run(() => PollAsync(stopping), CancellationToken.None);
            }
        }
    }

    public void RemoveChanged(EventHandler<KeyChangedEventArgs>? handler)
    {
        lock (_gate)
        {
            _changed -= handler;
            if (_changed is null)
            {
                Stop();
            }
        }
    }

    public void AddMissed(EventHandler? handler)
    {
        lock (_gate)
        {
            _missed += handler;
        }
    }

    public void RemoveMissed(EventHandler? handler)
    {
        lock (_gate)
        {
            _missed -= handler;
        }
    }

    /// <summary>Notes the token of a write of the owning store that is about to commit, so the poll skips it.</summary>
    public void Expect(long token) => _ownTokens.TryAdd(token, 0);

    /// <summary>Forgets a token whose write did not commit (its value may be taken again by another writer).</summary>
    public void Forget(long token) => _ownTokens.TryRemove(token, out _);

    public void Dispose()
    {
        lock (_gate)
        {
            _changed = null;
            _missed = null;
            Stop();
        }
    }

    private void Stop()
    {
        _polling?.Cancel();
        _polling?.Dispose();
        _polling = null;
    }

    private async Task PollAsync(CancellationToken stopping)
    {
        long? seen = null;
        Dictionary<string, long> tokens = [];
        using var timer = new PeriodicTimer(SqliteConstants.KeyChangePollInterval);
        try
        {
            do
            {
                try
                {
                    var counter = await ReadCounterAsync(stopping).ConfigureAwait(false);
                    if (counter == seen)
                    {
                        continue;
                    }

                    var (read, now) = await ReadTokensAsync(stopping).ConfigureAwait(false);
                    if (seen is null)
                    {
                        // The first reading is the baseline. A key the listener cached between subscribing and this
                        // reading may have changed in between: one ChangesMissed makes it read everything again.
                        tokens = now;
                        seen = read;
                        RaiseMissed();
                        continue;
                    }

                    Announce(tokens, now);
                    tokens = now;
                    seen = read;
                    foreach (var token in _ownTokens.Keys)
                    {
                        if (token <= read)
                        {
                            _ownTokens.TryRemove(token, out _);
                        }
                    }
                }
                catch (Exception e) when (e is SqliteException or IronCageException or InvalidOperationException or IOException)
                {
                    // Unreadable for now (locked past the busy timeout, file moved): the next tick tries again, and
                    // since it compares states, nothing that changed meanwhile is lost.
                    Log.KeyPollFailed(database.Logger, e, database.DataSource);
                }
            }
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped: the last listener left or the store was disposed.
        }
    }

    private void Announce(Dictionary<string, long> before, Dictionary<string, long> now)
    {
        foreach (var (reference, token) in now)
        {
            if ((!before.TryGetValue(reference, out var previous) || previous != token) && !_ownTokens.ContainsKey(token))
            {
                Raise(KeyReference.Parse(reference));
            }
        }

        foreach (var reference in before.Keys)
        {
            // A delete leaves no row to carry its token; an own delete was announced already and announcing it again
            // only drops a cache entry that is gone anyway.
            if (!now.ContainsKey(reference))
            {
                Raise(KeyReference.Parse(reference));
            }
        }
    }

    /// <summary>Raises <see cref="IKeyChangeFeed.KeyChanged"/> for <paramref name="key"/>; a handler's failure is logged, never thrown.</summary>
    public void Raise(KeyReference key)
    {
        EventHandler<KeyChangedEventArgs>? handlers;
        lock (_gate)
        {
            handlers = _changed;
        }

        try
        {
            handlers?.Invoke(sender, new KeyChangedEventArgs(key));
        }
#pragma warning disable CA1031 // A consumer's bug must not stop the feed for every other consumer.
        catch (Exception handlerFailure)
#pragma warning restore CA1031
        {
            Log.KeyChangedHandlerFailed(database.Logger, handlerFailure);
        }
    }

    private void RaiseMissed()
    {
        EventHandler? handlers;
        lock (_gate)
        {
            handlers = _missed;
        }

        try
        {
            handlers?.Invoke(sender, EventArgs.Empty);
        }
#pragma warning disable CA1031 // A consumer's bug must not stop the feed for every other consumer.
        catch (Exception handlerFailure)
#pragma warning restore CA1031
        {
            Log.KeyChangedHandlerFailed(database.Logger, handlerFailure);
        }
    }

    private async Task<long> ReadCounterAsync(CancellationToken cancellationToken)
    {
        var (connection, transaction) = await database.BeginReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        await using (transaction.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT value FROM ironcage_sequences WHERE name = 'key_token';";
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }
    }

    // The counter and the tokens come from one snapshot of the file, so a write between the two reads cannot be
    // counted as seen without its row being compared.
    private async Task<(long Counter, Dictionary<string, long> Tokens)> ReadTokensAsync(CancellationToken cancellationToken)
    {
        var (connection, transaction) = await database.BeginReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        await using (transaction.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT value FROM ironcage_sequences WHERE name = 'key_token'; SELECT reference, token FROM ironcage_keys;";
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var counter = reader.GetInt64(0);
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                var tokens = new Dictionary<string, long>(StringComparer.Ordinal);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    tokens[reader.GetString(0)] = reader.GetInt64(1);
                }

                return (counter, tokens);
            }
        }
    }
}
