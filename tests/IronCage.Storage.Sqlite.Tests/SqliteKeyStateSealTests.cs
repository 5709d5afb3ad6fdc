using IronCage.Conformance;
using NodaTime.Testing;

namespace IronCage.Storage.Sqlite.Tests;

/// <summary>Version state seals in a SQLite file, edited with a raw connection as an attacker with the file would.</summary>
public sealed class SqliteKeyStateSealTests : KeyStateSealConformanceTests
{
    private readonly TempDatabase _database = new();
    private readonly List<IDisposable> _stores = [];

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _stores.ForEach(s => s.Dispose());
        _database.Delete();
    }

    protected override IKeyStore CreateSealedStore()
    {
        var guard = new KeyStateGuard(Authenticator, Audit.AppendAsyncIgnoringResult, FakeClock.FromUtc(2026, 11, 22, 10, 0, 0), (key, version) => Alerts.Add((key, version)));
        return Track(new SqliteKeyStore(new SqliteDatabase(_database.Options(), null), ownsDatabase: true, IronCageConstants.DefaultExpiryWarningLead, guard));
    }

    protected override IKeyStore CreateUnsealedStore() => Track(new SqliteKeyStore(_database.Options()));

    protected override Task ExecuteAsync(string sql)
    {
        using var connection = _database.OpenRaw();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery().Should().BeGreaterThan(0, "the edit changes a row");
        return Task.CompletedTask;
    }

    private T Track<T>(T store)
        where T : IDisposable
    {
        _stores.Add(store);
        return store;
    }
}
