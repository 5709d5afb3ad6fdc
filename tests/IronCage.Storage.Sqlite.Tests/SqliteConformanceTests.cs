using IronCage.Conformance;
using IronCage.Rotation;

namespace IronCage.Storage.Sqlite.Tests;

public sealed class SqliteKeyStoreConformanceTests : KeyStoreConformanceTests
{
    private readonly TempDatabase _database = new();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Delete();
    }

    protected override IKeyStore CreateStore() => new SqliteKeyStore(new SqliteStoreOptions { ConnectionString = _database.NewConnectionString() });
}

public sealed class SqliteAuditLogConformanceTests : AuditLogConformanceTests
{
    private readonly TempDatabase _database = new();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Delete();
    }

    protected override IAuditLog CreateLog() => new SqliteAuditLog(new SqliteStoreOptions { ConnectionString = _database.NewConnectionString() });
}

public sealed class SqliteRotationStoreConformanceTests : RotationStoreConformanceTests
{
    private readonly TempDatabase _database = new();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _database.Delete();
    }

    protected override IRotationStore CreateStore() => new SqliteRotationStore(new SqliteStoreOptions { ConnectionString = _database.NewConnectionString() });
}
