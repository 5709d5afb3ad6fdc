using IronCage.Conformance;

namespace IronCage.Storage.Sqlite.Tests;

/// <summary>The rotation crash suite on an SQLite file.</summary>
public sealed class SqliteRotationCrashTests : RotationCrashConformanceTests, IDisposable
{
    private readonly TempDatabase _database = new();

    protected override string AtomicStepStoreName => "SqliteRotationStepStore";

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _database.Delete();
    }

    protected override IIronCageBuilder Persist(IIronCageBuilder builder) => builder.PersistToSqlite(_database.ConnectionString);
}
