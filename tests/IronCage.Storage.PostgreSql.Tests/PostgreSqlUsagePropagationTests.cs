using IronCage.Conformance;

namespace IronCage.Storage.PostgreSql.Tests;

/// <summary>Two host instances over one database: usage reaches the other through LISTEN/NOTIFY.</summary>
[Collection(PostgresCollection.Name)]
[ConformanceSkipWhen(typeof(PostgresServer), nameof(PostgresServer.SkipReason))]
public sealed class PostgreSqlUsagePropagationTests(PostgresServer server) : UsagePropagationConformanceTests
{
    protected override string CreateDatabase() => server.CreateDatabase();

    protected override void PersistStores(IIronCageBuilder builder, string connectionString) => builder.PersistToPostgreSql(connectionString);
}
