using IronCage.Conformance;
using IronCage.Rotation;

namespace IronCage.Storage.PostgreSql.Tests;

[Collection(PostgresCollection.Name)]
[ConformanceSkipWhen(typeof(PostgresServer), nameof(PostgresServer.SkipReason))]
public sealed class PostgreSqlKeyStoreConformanceTests(PostgresServer server) : KeyStoreConformanceTests
{
    protected override IKeyStore CreateStore() => new PostgreSqlKeyStore(new PostgreSqlStoreOptions { ConnectionString = server.CreateDatabase() });
}

[Collection(PostgresCollection.Name)]
[ConformanceSkipWhen(typeof(PostgresServer), nameof(PostgresServer.SkipReason))]
public sealed class PostgreSqlAuditLogConformanceTests(PostgresServer server) : AuditLogConformanceTests
{
    protected override IAuditLog CreateLog() => new PostgreSqlAuditLog(new PostgreSqlStoreOptions { ConnectionString = server.CreateDatabase() });
}

[Collection(PostgresCollection.Name)]
[ConformanceSkipWhen(typeof(PostgresServer), nameof(PostgresServer.SkipReason))]
public sealed class PostgreSqlRotationStoreConformanceTests(PostgresServer server) : RotationStoreConformanceTests
{
    protected override IRotationStore CreateStore() => new PostgreSqlRotationStore(new PostgreSqlStoreOptions { ConnectionString = server.CreateDatabase() });
}
