using Microsoft.Data.Sqlite;

namespace IronCage.Storage.Sqlite;

/// <summary>A write transaction holding the database's write lock. Disposing it without <see cref="Commit"/> rolls back.</summary>
internal sealed class SqliteWrite : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate;
    private bool _disposed;

    public SqliteWrite(SqliteConnection connection, SqliteTransaction transaction, SemaphoreSlim gate)
    {
        Connection = connection;
        Transaction = transaction;
        _gate = gate;
    }

    public SqliteConnection Connection { get; }

    public SqliteTransaction Transaction { get; }

    /// <summary>Creates a command in this transaction.</summary>
    public SqliteCommand Command(string sql)
    {
        var command = Connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>Takes the next value of a token sequence (see <c>ironcage_sequences</c>); rolled back with the transaction.</summary>
    public async ValueTask<long> NextTokenAsync(string sequence, CancellationToken cancellationToken)
    {
        using var command = Command("UPDATE ironcage_sequences SET value = value + 1 WHERE name = $name RETURNING value;");
        command.Parameters.AddWithValue("$name", sequence);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is long token ? token : throw new InvalidOperationException($"The token sequence '{sequence}' is missing from the IronCage database; was its schema changed by hand?");
    }

    // Not cancellable: once every statement ran, the change is committed as a whole rather than abandoned half-reported.
    public void Commit() => Transaction.Commit();

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            await Transaction.DisposeAsync().ConfigureAwait(false);
            await Connection.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
