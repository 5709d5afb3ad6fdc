using Npgsql;

namespace IronCage.Storage.PostgreSql;

/// <summary>A write transaction on its own pooled connection. Disposing it without <see cref="CommitAsync"/> rolls back.</summary>
internal sealed class PostgreSqlWrite(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
{
    private bool _disposed;

    public NpgsqlConnection Connection { get; } = connection;

    public NpgsqlTransaction Transaction { get; } = transaction;

    /// <summary>Creates a command in this transaction.</summary>
    public NpgsqlCommand Command(string sql) => new(sql, Connection, Transaction);

    /// <summary>Announces a changed key on <see cref="PostgreSqlConstants.KeyChangeChannel"/>; PostgreSQL delivers it only if the transaction commits.</summary>
    public async ValueTask NotifyKeyChangedAsync(string reference, CancellationToken cancellationToken)
    {
        using var notify = Command("SELECT pg_notify(@channel, @reference);");
        notify.Parameters.AddWithValue("channel", PostgreSqlConstants.KeyChangeChannel);
        notify.Parameters.AddWithValue("reference", reference);
        await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // Not cancellable: once every statement ran, the change is committed as a whole rather than abandoned half-reported.
    public Task CommitAsync() => Transaction.CommitAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await Transaction.DisposeAsync().ConfigureAwait(false);
        await Connection.DisposeAsync().ConfigureAwait(false);
    }
}
