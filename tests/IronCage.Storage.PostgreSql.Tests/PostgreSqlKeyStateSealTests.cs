using IronCage.Conformance;
using Npgsql;
using NodaTime.Testing;

namespace IronCage.Storage.PostgreSql.Tests;

/// <summary>Version state seals in a real PostgreSQL database, edited over a plain connection as its owner would.</summary>
[Collection(PostgresCollection.Name)]
[ConformanceSkipWhen(typeof(PostgresServer), nameof(PostgresServer.SkipReason))]
public sealed class PostgreSqlKeyStateSealTests(PostgresServer server) : KeyStateSealConformanceTests
{
    private readonly List<IDisposable> _stores = [];
    private string? _connectionString;

    private string ConnectionString => _connectionString ??= server.CreateDatabase();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _stores.ForEach(s => s.Dispose());
    }

    protected override IKeyStore CreateSealedStore()
    {
        var guard = new KeyStateGuard(Authenticator, Audit.AppendAsyncIgnoringResult, FakeClock.FromUtc(2026, 11, 22, 10, 0, 0), (key, version) => Alerts.Add((key, version)));
        return Track(new PostgreSqlKeyStore(new PostgreSqlDatabase(new PostgreSqlStoreOptions { ConnectionString = ConnectionString }, null), ownsDatabase: true, IronCageConstants.DefaultExpiryWarningLead, guard));
    }

    protected override IKeyStore CreateUnsealedStore() => Track(new PostgreSqlKeyStore(new PostgreSqlStoreOptions { ConnectionString = ConnectionString }));

    protected override async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        (await command.ExecuteNonQueryAsync()).Should().BeGreaterThan(0, "the edit changes a row");
    }

    private T Track<T>(T store)
        where T : IDisposable
    {
        _stores.Add(store);
        return store;
    }
}
