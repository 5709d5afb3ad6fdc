using IronCage.Conformance;

namespace IronCage.Storage.Sqlite.Tests;

/// <summary>Two host instances (as two processes would) over one SQLite file: usage reaches the other through the store's poll.</summary>
public sealed class SqliteUsagePropagationTests : UsagePropagationConformanceTests, IDisposable
{
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Delete();

    protected override string CreateDatabase() => _database.ConnectionString;

    protected override void PersistStores(IIronCageBuilder builder, string connectionString) => builder.PersistToSqlite(connectionString);
}
