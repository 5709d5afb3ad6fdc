using IronCage.Auditing;
using IronCage.Providers;
using IronCage.Rotation;
using IronCage.Usage;
using Microsoft.Data.Sqlite;
using NodaTime;

namespace IronCage.Storage.Sqlite.Tests;

/// <summary>Two store instances on one file stand for two processes: they share nothing but the file.</summary>
public sealed class SqliteConcurrencyTests : IDisposable
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 22, 9, 30);
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Delete();

    [Fact]
    public async Task Update_FromTwoInstancesAtOnce_ExactlyOneWriterWins()
    {
        using var a = new SqliteKeyStore(_database.Options());
        using var b = new SqliteKeyStore(_database.Options());
        var read = await a.CreateAsync(Key("openai/prod"));
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var writers = Enumerable.Range(0, 24).Select(i => Task.Run(async () =>
        {
            await start.Task;
            var store = i % 2 == 0 ? a : b;
            try
            {
                return (Winner: await store.UpdateAsync(read with { Description = "writer " + i }), Conflict: (ConcurrencyConflictException?)null);
            }
            catch (ConcurrencyConflictException conflict)
            {
                return (Winner: (ManagedKey?)null, Conflict: conflict);
            }
        })).ToList();
        start.SetResult();
        var outcomes = await Task.WhenAll(writers);

        var winner = outcomes.Select(o => o.Winner).OfType<ManagedKey>().Should().ContainSingle().Subject;
        outcomes.Select(o => o.Conflict).OfType<ConcurrencyConflictException>().Should().HaveCount(23)
            .And.OnlyContain(c => c.ActualToken == winner.ConcurrencyToken);
        (await b.GetAsync(read.Reference)).Description.Should().Be(winner.Description);
        (await a.GetAsync(read.Reference)).ConcurrencyToken.Should().Be(winner.ConcurrencyToken);
    }

    [Fact]
    public async Task Create_FromTwoInstances_EveryKeyIsStoredAndNoTokenRepeats()
    {
        using var a = new SqliteKeyStore(_database.Options());
        using var b = new SqliteKeyStore(_database.Options());

        var created = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(async () =>
            await (i % 2 == 0 ? a : b).CreateAsync(Key("openai/key-" + i.ToString("D3", System.Globalization.CultureInfo.InvariantCulture))))));

        created.Select(k => k.ConcurrencyToken).Should().OnlyHaveUniqueItems();
        var listed = new List<ManagedKey>();
        await foreach (var key in b.ListAsync())
        {
            listed.Add(key);
        }

        listed.Should().HaveCount(100);
    }

    [Fact]
    public async Task Append_FromTwoInstancesAtOnce_KeepsOneUnbrokenChain()
    {
        using var a = new SqliteAuditLog(_database.Options());
        using var b = new SqliteAuditLog(_database.Options());

        var appended = await Task.WhenAll(Enumerable.Range(1, 100).Select(i => Task.Run(async () =>
            await (i % 2 == 0 ? a : b).AppendAsync(new AuditEvent { Actor = "host-" + (i % 2), Action = AuditAction.KeyVerify, Target = "openai/key-" + i, Timestamp = T0 + Duration.FromSeconds(i) }))));

        appended.Select(r => r.Sequence).Should().BeEquivalentTo(Enumerable.Range(1, 100).Select(i => (long)i));
        var result = await a.VerifyAsync();
        result.IsValid.Should().BeTrue(result.Message);
        result.RecordsChecked.Should().Be(100);
    }

    [Fact]
    public async Task Lease_AcquiredFromTwoInstancesAtOnce_OnlyOneWins()
    {
        using var a = new SqliteRotationStore(_database.Options());
        using var b = new SqliteRotationStore(_database.Options());

        var leases = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
            await (i % 2 == 0 ? a : b).TryAcquireLeaseAsync("rotation:openai/prod", "host-" + i, Duration.FromMinutes(5), T0))));

        leases.Count(l => l is not null).Should().Be(1);
    }

    [Fact]
    public async Task Create_OperationsForOneKeyFromTwoInstances_OnlyOneIsUnfinished()
    {
        using var a = new SqliteRotationStore(_database.Options());
        using var b = new SqliteRotationStore(_database.Options());

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(async () =>
        {
            try
            {
                await (i % 2 == 0 ? a : b).CreateAsync(Operation("openai/prod"));
                return true;
            }
            catch (RotationConflictException)
            {
                return false;
            }
        })));

        outcomes.Count(created => created).Should().Be(1);
    }

    [Fact]
    public async Task Write_WhileAnotherConnectionHoldsTheWriteLock_WaitsForIt()
    {
        using var store = new SqliteKeyStore(_database.Options());
        await store.CreateAsync(Key("openai/first"));
        using var holder = _database.OpenRaw();
        var transaction = holder.BeginTransaction(deferred: false);

        // Microsoft.Data.Sqlite runs synchronously, so the wait happens on the calling thread: start it on another.
        var write = Task.Run(async () => await store.CreateAsync(Key("openai/second")));
        await Task.Delay(300);
        write.IsCompleted.Should().BeFalse("the write waits for the lock instead of failing");
        transaction.Commit();
        transaction.Dispose();

        (await write).Reference.Should().Be(KeyReference.Parse("openai/second"));
    }

    [Fact]
    public async Task Write_WhenTheLockIsHeldLongerThanTheBusyTimeout_FailsWithAClearError()
    {
        var options = _database.Options();
        options.BusyTimeout = TimeSpan.FromMilliseconds(200);
        using var store = new SqliteKeyStore(options);
        await store.CreateAsync(Key("openai/first"));
        using var holder = _database.OpenRaw();
        using var transaction = holder.BeginTransaction(deferred: false);

        var act = async () => await store.CreateAsync(Key("openai/second"));

        var error = (await act.Should().ThrowAsync<IronCageException>()).Which;
        error.Message.Should().Contain("stayed locked").And.Contain("BusyTimeout");
        error.InnerException.Should().BeOfType<SqliteException>();
        transaction.Rollback();
        (await store.FindAsync(KeyReference.Parse("openai/second"))).Should().BeNull();
    }

    [Fact]
    public async Task Writes_WhileAnotherWriterHoldsTheFileLocked_ThrowRetryableStoreUnavailable_ThenSucceedOnRetry()
    {
        var options = _database.Options();
        options.BusyTimeout = TimeSpan.FromMilliseconds(200);
        using var usage = new SqliteUsageStore(options);
        using var rotations = new SqliteRotationStore(options);
        await usage.GetCommittedAsync("openai/prod:Day", T0);
        var record = new UsageRecord { Key = KeyReference.Parse("openai/prod"), Minute = T0, Requests = 2, Cost = 0.5m };
        var reservation = new BudgetReservation { Id = Guid.NewGuid(), Budget = "openai/prod:Day", WindowStart = T0, Amount = 1m, CreatedAt = T0 };

        using (var holder = _database.OpenRaw())
        using (var transaction = holder.BeginTransaction(deferred: false))
        {
            foreach (var write in new Func<Task>[]
            {
                () => usage.AppendAsync([record]),
                () => usage.TryReserveAsync(reservation, 10m),
                () => rotations.TryAcquireLeaseAsync("rotation:openai/prod", "host-a", Duration.FromMinutes(5), T0).AsTask(),
            })
            {
                var error = (await FluentActions.Awaiting(write).Should().ThrowAsync<StoreUnavailableException>()).Which;
                error.IsTransient.Should().BeTrue("the lock is released when the other writer finishes");
                error.Store.Should().Be(_database.FilePath);
                error.InnerException.Should().BeOfType<SqliteException>().Which.SqliteErrorCode.Should().Be(5, "SQLITE_BUSY");
                error.Message.Should().Contain("stayed locked").And.Contain("BusyTimeout");
            }

            transaction.Rollback();
        }

        await usage.AppendAsync([record]);
        (await usage.TryReserveAsync(reservation, 10m)).Admitted.Should().BeTrue();
        (await rotations.TryAcquireLeaseAsync("rotation:openai/prod", "host-a", Duration.FromMinutes(5), T0)).Should().NotBeNull();
        (await usage.AggregateAsync(new UsageAggregateQuery { From = T0, To = T0 + Duration.FromDays(1) })).Should().ContainSingle().Which.Requests.Should().Be(2, "the refused batch was not stored, the retried one once");
    }

    private static ManagedKey Key(string reference) => new() { Reference = KeyReference.Parse(reference), CreatedAt = T0 };

    private static RotationOperation Operation(string key) => new()
    {
        OperationId = RotationOperation.NewOperationId(),
        Key = KeyReference.Parse(key),
        Reason = RotationReason.Manual,
        Tier = RotationTier.Automatic,
        Step = RotationStep.Requested,
        RequestedBy = "test",
        RequestedAt = T0,
        UpdatedAt = T0,
        NewVersionId = KeyVersion.NewVersionId(),
    };
}
