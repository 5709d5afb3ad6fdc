using IronCage.Usage;
using Microsoft.Data.Sqlite;

namespace IronCage.Storage.Sqlite;

/// <summary>
/// Tells usage tracking when another process (or another store object over the same file) appended usage. SQLite has no
/// notifications, so while anyone listens this polls the newest <c>ironcage_usage</c> row id every
/// <see cref="SqliteConstants.UsagePollInterval"/>: one primary-key lookup. The rows the owning store appended itself
/// are skipped, since the instance that wrote them counts them already.
/// </summary>
internal sealed class SqliteUsageChangePoller(SqliteDatabase database) : IDisposable
{
    private readonly object _gate = new();
    private EventHandler<UsageChangedEventArgs>? _handlers;
    private CancellationTokenSource? _polling;
    private long _ownFrom = -1;
    private long _ownTo = -1;

    public void Add(EventHandler<UsageChangedEventArgs>? handler, object sender)
    {
        lock (_gate)
        {
            _handlers += handler;
            if (_polling is null && _handlers is not null)
            {
                _polling = new CancellationTokenSource();
                var stopping = _polling.Token;
                _ = Task.Run(() => PollAsync(sender, stopping), CancellationToken.None);
            }
        }
    }

    public void Remove(EventHandler<UsageChangedEventArgs>? handler)
    {
        lock (_gate)
        {
            _handlers -= handler;
            if (_handlers is null)
            {
                Stop();
            }
        }
    }

    /// <summary>Notes the row ids the owning store just appended (one write transaction: consecutive ids).</summary>
    public void Appended(long lastId, int count)
    {
        lock (_gate)
        {
            var first = lastId - count + 1;
            if (first == _ownTo + 1)
            {
                _ownTo = lastId;
            }
            else
            {
                _ownFrom = first;
                _ownTo = lastId;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _handlers = null;
            Stop();
        }
    }

    private void Stop()
    {
        _polling?.Cancel();
        _polling?.Dispose();
        _polling = null;
    }

    private async Task PollAsync(object sender, CancellationToken stopping)
    {
        long? seen = null;
        using var timer = new PeriodicTimer(SqliteConstants.UsagePollInterval);
        try
        {
            do
            {
                long latest;
                try
                {
                    latest = await ReadLatestIdAsync(stopping).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SqliteException or IronCageException or InvalidOperationException or IOException)
                {
                    // Unreadable for now (locked past the busy timeout, file moved): the next tick tries again.
                    Log.UsagePollFailed(database.Logger, e, database.DataSource);
                    continue;
                }

                // The first reading has no baseline: usage appended between the listener's start and this reading
                // (a cold process can take longer than a flush interval to get here) would otherwise never be
                // announced. Announcing once is cheap: the listener reads the recent minutes again.
                var changed = seen is { } previous ? latest != previous && !OnlyOwn(previous, latest) : latest > 0 && !OnlyOwn(0, latest);
                if (changed)
                {
                    Raise(sender);
                }

                seen = latest;
            }
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped: the last listener left or the store was disposed.
        }
    }

    private bool OnlyOwn(long previous, long latest)
    {
        lock (_gate)
        {
            return previous + 1 >= _ownFrom && previous < _ownTo && latest == _ownTo;
        }
    }

    private void Raise(object sender)
    {
        EventHandler<UsageChangedEventArgs>? handlers;
        lock (_gate)
        {
            handlers = _handlers;
        }

        try
        {
            handlers?.Invoke(sender, UsageChangedEventArgs.AnyKey);
        }
#pragma warning disable CA1031 // A consumer's bug must not stop the poll for every other consumer.
        catch (Exception handlerFailure)
#pragma warning restore CA1031
        {
            Log.UsagePollHandlerFailed(database.Logger, handlerFailure);
        }
    }

    private async Task<long> ReadLatestIdAsync(CancellationToken cancellationToken)
    {
        var (connection, transaction) = await database.BeginReadAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        await using (transaction.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT coalesce(max(id), 0) FROM ironcage_usage;";
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
