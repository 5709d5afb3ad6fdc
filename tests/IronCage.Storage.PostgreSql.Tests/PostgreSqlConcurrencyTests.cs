using IronCage.Auditing;
using IronCage.Rotation;
using IronCage.Usage;
using NodaTime;
using Npgsql;

namespace IronCage.Storage.PostgreSql.Tests;

/// <summary>Several store instances (as several processes would) on one database.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgreSqlConcurrencyTests(PostgresServer server)
{
    [PostgresFact]
    public async Task AppendsFromTwoInstancesAtOnce_FormOneUnbrokenChain()
    {
        var options = new PostgreSqlStoreOptions { ConnectionString = server.CreateDatabase() };
        using var first = new PostgreSqlAuditLog(options);
        using var second = new PostgreSqlAuditLog(options);
        var records = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
            await (i % 2 == 0 ? first : second).AppendAsync(new AuditEvent { Actor = "instance-" + (i % 2), Action = AuditAction.KeyUpdate, Target = "openai/k" + i, Timestamp = TestKeys.T0 }))));

        records.Select(r => r.Sequence).Should().BeEquivalentTo(Enumerable.Range(1, 100).Select(i => (long)i));
        var verified = await first.VerifyAsync();
        verified.IsValid.Should().BeTrue();
        verified.RecordsChecked.Should().Be(100);
    }

    [PostgresFact]
    public async Task ExpiredLeaseLockedByAnotherAcquirer_IsSkippedAtOnce_NotWaitedFor()
    {
        var connectionString = server.CreateDatabase();
        using var store = new PostgreSqlRotationStore(new PostgreSqlStoreOptions { ConnectionString = connectionString });
        var now = Instant.FromUtc(2026, 11, 1, 9, 0);
        (await store.TryAcquireLeaseAsync("rotation:openai/prod", "host-a", Duration.FromMinutes(1), now)).Should().NotBeNull();

        // Another instance is in the middle of taking the (now expired) lease over: it holds the row lock.
        await using var other = new NpgsqlConnection(connectionString);
        await other.OpenAsync();
        await using var transaction = await other.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("SELECT token FROM ironcage_rotation_leases WHERE resource = 'rotation:openai/prod' FOR UPDATE;", other, transaction))
        {
            (await hold.ExecuteScalarAsync()).Should().NotBeNull();
        }

        var attempt = store.TryAcquireLeaseAsync("rotation:openai/prod", "host-b", Duration.FromMinutes(1), now + Duration.FromMinutes(5)).AsTask();
        var finished = await Task.WhenAny(attempt, Task.Delay(TimeSpan.FromSeconds(10)));

        finished.Should().BeSameAs(attempt, "FOR UPDATE SKIP LOCKED gives up on a locked lease row instead of queueing behind its holder");
        (await attempt).Should().BeNull("someone else is taking the lease over");
        await transaction.RollbackAsync();
        (await store.TryAcquireLeaseAsync("rotation:openai/prod", "host-b", Duration.FromMinutes(1), now + Duration.FromMinutes(5))).Should().NotBeNull("once the other acquirer let go, the expired lease is taken over");
    }

    [PostgresFact]
    public async Task Stores_HoldNoAdvisoryLocks_BetweenCalls()
    {
        var connectionString = server.CreateDatabase();
        var options = new PostgreSqlStoreOptions { ConnectionString = connectionString };
        using var rotations = new PostgreSqlRotationStore(options);
        using var usage = new PostgreSqlUsageStore(options);
        var now = Instant.FromUtc(2026, 11, 1, 9, 0);
        await rotations.TryAcquireLeaseAsync("scheduler", "host-a", Duration.FromMinutes(1), now);
        await usage.TryReserveAsync(new BudgetReservation { Id = Guid.NewGuid(), Budget = "b", WindowStart = now, Amount = 1m, CreatedAt = now }, 10m);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var locks = new NpgsqlCommand("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory';", connection);
        (await locks.ExecuteScalarAsync()).Should().Be(0L, "only transaction-scoped locks are taken (PgBouncer transaction mode)");
    }

    [PostgresFact]
    public async Task LeaseWantedByManyInstancesAtOnce_GoesToExactlyOne_AndTheNextHolderHasAGreaterToken()
    {
        var options = new PostgreSqlStoreOptions { ConnectionString = server.CreateDatabase() };
        var stores = Enumerable.Range(0, 4).Select(_ => new PostgreSqlRotationStore(options)).ToList();
        try
        {
            var now = Instant.FromUtc(2026, 11, 1, 9, 0);
            var leases = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
                await stores[i % stores.Count].TryAcquireLeaseAsync("scheduler", "owner-" + i, Duration.FromMinutes(1), now))));
            var held = leases.Where(l => l is not null).Should().ContainSingle().Subject!;

            var later = await stores[0].TryAcquireLeaseAsync("scheduler", "late", Duration.FromMinutes(1), now + Duration.FromMinutes(2));
            later.Should().NotBeNull("an expired lease is taken over");
            later!.Token.Should().BeGreaterThan(held.Token);
        }
        finally
        {
            stores.ForEach(s => s.Dispose());
        }
    }

    [PostgresFact]
    public async Task ConcurrentUpdatesOfOneKeyFromTwoInstances_OneWinsTheOtherConflicts()
    {
        var options = new PostgreSqlStoreOptions { ConnectionString = server.CreateDatabase() };
        using var first = new PostgreSqlKeyStore(options);
        using var second = new PostgreSqlKeyStore(options);
        var created = await first.CreateAsync(TestKeys.NewKey("openai/contended"));

        var attempts = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            try
            {
                await (i % 2 == 0 ? first : second).UpdateAsync(created with { Description = "writer " + i });
                return true;
            }
            catch (ConcurrencyConflictException)
            {
                return false;
            }
        })));

        attempts.Count(won => won).Should().Be(1);
        (await second.GetAsync(created.Reference)).ConcurrencyToken.Should().BeGreaterThan(created.ConcurrencyToken);
    }
}
