using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Npgsql;

namespace IronCage.Storage.PostgreSql;

/// <summary>Turns the driver's "the server is not there" failures into <see cref="StoreUnavailableException"/>, the one retryable error every store throws.</summary>
internal static class PostgreSqlErrors
{
    /// <summary>
    /// Whether <paramref name="exception"/> means the database could not be reached or went away mid-call (refused or
    /// broken connection, server shutting down or starting, too many connections, pool timeout), rather than a
    /// problem with the statement or the data.
    /// </summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        // SQLSTATE class 08: connection exception; 57P01-57P03: admin shutdown, crash shutdown, cannot connect now;
        // 53300: too many connections.
        PostgresException postgres => postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
            || postgres.SqlState is "57P01" or "57P02" or "57P03" or "53300",
        // Not a server error: the connection could not be opened or broke (socket, I/O, timeout), or the pool ran dry.
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or SocketException or TimeoutException,
        _ => false,
    };

    public static StoreUnavailableException Unavailable(string database, Exception exception) => new(
        database,
        isTransient: true,
        $"The IronCage database '{database}' is unavailable ({Describe(exception)}): the server is down, restarting or unreachable. "
        + "The call's transaction was rolled back (or, if the connection broke while committing, its outcome is unknown); retry when the server is back. Check the server, the network and the connection string's host and port.",
        exception);

    /// <summary>Runs a store call and reports an unreachable database as <see cref="StoreUnavailableException"/>.</summary>
    public static async ValueTask<T> GuardAsync<T>(this PostgreSqlDatabase database, ValueTask<T> call)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw Unavailable(database.Name, e);
        }
    }

    /// <summary>Runs a store call and reports an unreachable database as <see cref="StoreUnavailableException"/>.</summary>
    public static async ValueTask GuardAsync(this PostgreSqlDatabase database, ValueTask call)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw Unavailable(database.Name, e);
        }
    }

    /// <summary>Enumerates a store query and reports an unreachable database as <see cref="StoreUnavailableException"/>.</summary>
    public static async IAsyncEnumerable<T> GuardAsync<T>(this PostgreSqlDatabase database, IAsyncEnumerable<T> source, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var enumerator = source.GetAsyncEnumerator(cancellationToken);
        await using (enumerator.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
                catch (Exception e) when (IsUnavailable(e))
                {
                    throw Unavailable(database.Name, e);
                }

                yield return enumerator.Current;
            }
        }
    }

    private static string Describe(Exception exception)
        => exception is PostgresException postgres ? "SQLSTATE " + postgres.SqlState : exception.InnerException?.GetType().Name ?? exception.GetType().Name;
}
