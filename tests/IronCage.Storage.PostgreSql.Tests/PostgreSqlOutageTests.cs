using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Rotation;
using IronCage.Testing;
using IronCage.Usage;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;
using Npgsql;

namespace IronCage.Storage.PostgreSql.Tests;

/// <summary>
/// The server goes away in the middle of a rotation: every store reports a typed, retryable error, nothing committed
/// before the outage is lost, and the interrupted rotation resumes once the server is back. Runs on a cluster of its
/// own, so stopping it disturbs no other test.
/// </summary>
public sealed class PostgreSqlOutageTests : IAsyncLifetime
{
    private static readonly KeyReference Reference = new(ProviderId.OpenAI, "prod");
    private PostgresCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await PostgresCluster.StartNewAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [OwnPostgresClusterFact]
    public async Task ServerStopsMidRotation_StoresThrowRetryableErrors_NothingCommittedIsLost_RotationResumes()
    {
        var connectionString = _cluster.CreateDatabase();
        var clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI, clock);
        await using var container = TestKeys.Instance(connectionString, provider, clock, LocalMasterKeyProvider.GenerateMasterKey());
        var rotator = container.GetRequiredService<IKeyRotator>();
        var keys = container.GetRequiredService<IKeyStore>();
        var usage = container.GetRequiredService<IUsageStore>();
        var audit = container.GetRequiredService<IAuditLog>();
        var operations = container.GetRequiredService<IRotationStore>();
        usage.Should().BeOfType<PostgreSqlUsageStore>("PersistToPostgreSql fills the usage slot too");

        // Committed before the outage: the key, usage and a budget reservation.
        using (var secret = FakeKeys.Generate(ProviderId.OpenAI))
        {
            var providerKeyId = provider.AddExistingKey(secret, "initial-prod");
            await rotator.RegisterAsync(new KeyRegistration { Reference = Reference, ProviderKeyId = providerKeyId }, secret);
        }

        var minute = clock.GetCurrentInstant();
        await usage.AppendAsync([new UsageRecord { Key = Reference, Minute = minute, Model = "gpt-4o", Requests = 3, InputTokens = 300, OutputTokens = 30, Cost = 0.0123m }]);
        var hold = new BudgetReservation { Id = Guid.NewGuid(), Budget = "openai/prod:Day", WindowStart = minute, Amount = 2.5m, CreatedAt = minute };
        (await usage.TryReserveAsync(hold, 10m)).Admitted.Should().BeTrue();
        var before = await keys.GetAsync(Reference);

        // The rotation reaches the provider's Create, which hangs; the server stops while it does.
        provider.On(FakeProviderOperation.Create).Hang();
        var rotation = rotator.RotateAsync(Reference, RotationReason.Manual);
        await WaitUntilAsync(() => provider.On(FakeProviderOperation.Create).Pending == 0);
        var interrupted = await operations.FindActiveAsync(Reference);
        interrupted.Should().NotBeNull();
        interrupted!.CreateAttempted.Should().BeTrue("the engine records the attempt before calling the provider");

        await _cluster.StopAsync("fast");
        provider.On(FakeProviderOperation.Create).ReleaseHung();

        var failure = (await FluentActions.Awaiting(() => rotation).Should().ThrowAsync<StoreUnavailableException>()).Which;
        failure.IsTransient.Should().BeTrue();
        failure.InnerException.Should().BeAssignableTo<NpgsqlException>();
        failure.Message.Should().Contain("unavailable").And.Contain("retry");
        failure.Store.Should().Contain("127.0.0.1");

        // Every store gives the same typed error while the server is down.
        await ExpectUnavailableAsync(() => keys.GetAsync(Reference).AsTask());
        await ExpectUnavailableAsync(() => usage.AppendAsync([new UsageRecord { Key = Reference, Minute = minute, Requests = 1 }]));
        await ExpectUnavailableAsync(() => usage.TryReserveAsync(hold with { Id = Guid.NewGuid() }, 10m));
        await ExpectUnavailableAsync(() => usage.AggregateAsync(new UsageAggregateQuery { From = minute, To = minute + Duration.FromDays(1) }));
        await ExpectUnavailableAsync(() => audit.VerifyAsync().AsTask());
        await ExpectUnavailableAsync(() => operations.FindAsync(interrupted.OperationId).AsTask());
        await ExpectUnavailableAsync(async () =>
        {
            await foreach (var key in keys.ListAsync())
            {
                key.Should().NotBeNull();
            }
        });

        await _cluster.StartAsync();

        // Nothing committed before the outage was lost.
        var after = await RetryWhileUnavailableAsync(() => keys.GetAsync(Reference).AsTask());
        after.Versions.Should().BeEquivalentTo(before.Versions, o => o.Excluding(v => v.Secret));
        (await usage.GetCommittedAsync("openai/prod:Day", minute)).Should().Be(2.5m);
        (await usage.AggregateAsync(new UsageAggregateQuery { From = minute, To = minute + Duration.FromDays(1) })).Should().ContainSingle()
            .Which.Should().BeEquivalentTo(new { Requests = 3L, InputTokens = 300L, OutputTokens = 30L, Cost = 0.0123m });
        (await audit.VerifyAsync()).IsValid.Should().BeTrue();
        var stored = await operations.FindActiveAsync(Reference);
        stored!.OperationId.Should().Be(interrupted.OperationId);
        stored.Step.Should().Be(RotationStep.Requested, "the answer of the interrupted Create was never recorded");

        // The interrupted rotation resumes: the key the provider created meanwhile is removed, a new one made and promoted.
        var resumed = await rotator.ResumeAsync(interrupted.OperationId);
        resumed.Step.Should().Be(RotationStep.GracePeriod);
        clock.Advance(Duration.FromHours(25));
        (await rotator.CompleteGraceAsync(Reference)).Step.Should().Be(RotationStep.Completed);
        var current = (await keys.GetAsync(Reference)).CurrentVersion!;
        current.VersionId.Should().NotBe(before.CurrentVersion!.VersionId);
        provider.LiveKeyIds.Should().ContainSingle("the old key is revoked and the key created during the outage was not left behind")
            .Which.Should().Be(current.ProviderKeyId);
    }

    private static async Task ExpectUnavailableAsync(Func<Task> call)
    {
        var error = (await FluentActions.Awaiting(call).Should().ThrowAsync<StoreUnavailableException>()).Which;
        error.IsTransient.Should().BeTrue();
        error.InnerException.Should().BeAssignableTo<NpgsqlException>();
    }

    /// <summary>What a host's retry does: connections the pool held across the restart fail once each, then it works.</summary>
    private static async Task<T> RetryWhileUnavailableAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (StoreUnavailableException) when (attempt < 20)
            {
                await Task.Delay(100);
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}

/// <summary>A fact that needs a local PostgreSQL installation to run a cluster of its own (skipped, with the reason, without one).</summary>
public sealed class OwnPostgresClusterFactAttribute : FactAttribute
{
    public OwnPostgresClusterFactAttribute()
    {
        if (PostgresServer.OwnClusterSkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
