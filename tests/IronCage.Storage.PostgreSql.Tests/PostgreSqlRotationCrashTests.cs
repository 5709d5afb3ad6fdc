using IronCage.Conformance;

namespace IronCage.Storage.PostgreSql.Tests;

/// <summary>The rotation crash suite on a PostgreSQL database of the throwaway cluster.</summary>
[Collection(PostgresCollection.Name)]
[ConformanceSkipWhen(typeof(PostgresServer), nameof(PostgresServer.SkipReason))]
public sealed class PostgreSqlRotationCrashTests(PostgresServer server) : RotationCrashConformanceTests
{
    private readonly string _connectionString = PostgresServer.SkipReason is null ? server.CreateDatabase() : string.Empty;

    protected override string AtomicStepStoreName => "PostgreSqlRotationStepStore";

    protected override IIronCageBuilder Persist(IIronCageBuilder builder) => builder.PersistToPostgreSql(_connectionString);
}
