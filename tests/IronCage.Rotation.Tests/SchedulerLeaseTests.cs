using IronCage.Encryption;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Rotation.Tests;

/// <summary>The scheduler's lease on a key is renewed while work runs, and work stops when the lease is lost.</summary>
public sealed class SchedulerLeaseTests
{
    private static readonly RotationPolicy Monthly = new() { Schedule = RotationSchedule.Monthly };
    private static readonly Instant DueAt = Instant.FromUtc(2026, 12, 1, 9, 0);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RunDue_ProviderCallSlowerThanTheLease_KeepsTheLeaseAndASecondSchedulerNeverStartsTheSameRotation()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        var clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        var shared = new RotationHarness.SharedState();
        using var first = new RotationHarness(provider, clock, shared, extend: FastRenewal);
        using var second = new RotationHarness(provider, clock, shared, extend: FastRenewal);
        var key = (await first.RegisterAsync("slow", Monthly)).Key.Reference;
        clock.Reset(DueAt);
        provider.On(FakeProviderOperation.Create).Hang();

        var pass = first.Scheduler.RunDueAsync(clock.GetCurrentInstant());
        await WaitUntilAsync(() => provider.On(FakeProviderOperation.Create).HangingCalls == 1);

        // Twelve minutes pass at the provider (more than two five-minute leases) while the first instance keeps renewing.
        for (var i = 0; i < 6; i++)
        {
            clock.AdvanceMinutes(2);
            await Task.Delay(150);
        }

        var competing = await second.Scheduler.RunDueAsync(clock.GetCurrentInstant());
        competing.Skipped.Should().Be(1, "the first instance still holds the key: its lease was renewed");
        competing.Started.Should().Be(0);
        competing.Resumed.Should().Be(0);

        provider.On(FakeProviderOperation.Create).ReleaseHung();
        var result = await pass;

        result.Started.Should().Be(1);
        result.LeasesLost.Should().Be(0);
        provider.CallsTo(FakeProviderOperation.Create).Should().HaveCount(1, "only one instance ever worked on the key");
        (await shared.Operations.FindActiveAsync(key))!.Step.Should().Be(RotationStep.GracePeriod);
        await first.AssertInvariantsAsync(key);
    }

    [Fact]
    public async Task RunDue_LeaseLostWhileAProviderCallRuns_StopsTheWorkAndLeavesItToResume()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        var clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        var shared = new RotationHarness.SharedState();
        var store = new LosableLeaseStore(shared.Operations);
        using var harness = new RotationHarness(provider, clock, shared, extend: b =>
        {
            FastRenewal(b);
            b.Services.AddSingleton<IRotationStore>(store);
        });
        var key = (await harness.RegisterAsync("lost", Monthly)).Key.Reference;
        clock.Reset(DueAt);
        provider.On(FakeProviderOperation.Create).Hang();

        var pass = harness.Scheduler.RunDueAsync(clock.GetCurrentInstant());
        await WaitUntilAsync(() => provider.On(FakeProviderOperation.Create).HangingCalls == 1);
        store.LoseLeases = true;

        var result = await pass.WaitAsync(Deadline);

        result.LeasesLost.Should().Be(1, "the renewal found the lease gone and stopped the work");
        result.Started.Should().Be(0);
        result.Failed.Should().Be(0, "losing a lease is not a failure of the key");
        var operation = await shared.Operations.FindActiveAsync(key);
        operation.Should().NotBeNull("the rotation stays recorded for the instance that holds the key now");
        operation!.Step.Should().NotBe(RotationStep.Promoted).And.NotBe(RotationStep.GracePeriod, "nothing was promoted after the lease was lost");
        var stored = await shared.Keys.GetAsync(key);
        stored.Versions.Should().ContainSingle(v => v.Stage == KeyStage.Current);

        // Whoever holds the key next resumes the rotation to its end.
        store.LoseLeases = false;
        clock.AdvanceMinutes(10);
        var resumed = await harness.Scheduler.RunDueAsync(clock.GetCurrentInstant());
        resumed.Resumed.Should().Be(1);
        (await shared.Operations.FindActiveAsync(key))!.Step.Should().Be(RotationStep.GracePeriod);
        await harness.AssertInvariantsAsync(key);
    }

    [Fact]
    public async Task AddRotationScheduler_RenewalIntervalNotShorterThanTheLease_FailsAtStart()
    {
        var services = new ServiceCollection();
        services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey()).AddRotation()
            .AddRotationScheduler(o =>
            {
                o.LeaseDuration = Duration.FromMinutes(1);
                o.LeaseRenewalInterval = TimeSpan.FromMinutes(1);
            });
        await using var provider = services.BuildServiceProvider();

        var read = () => provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<RotationSchedulerOptions>>().Value;

        read.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*LeaseRenewalInterval*shorter than LeaseDuration*");
    }

    private static void FastRenewal(IIronCageBuilder builder)
        => builder.Services.Configure<RotationSchedulerOptions>(o => o.LeaseRenewalInterval = TimeSpan.FromMilliseconds(25));

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var until = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            DateTime.UtcNow.Should().BeBefore(until, "the condition should hold within the deadline");
            await Task.Delay(10);
        }
    }

    // Stands for another instance taking the key over: once told, every renewal finds the lease gone.
    private sealed class LosableLeaseStore(IRotationStore inner) : IRotationStore
    {
        public volatile bool LoseLeases;

        public ValueTask<RotationOperation> CreateAsync(RotationOperation operation, CancellationToken cancellationToken = default) => inner.CreateAsync(operation, cancellationToken);

        public ValueTask<RotationOperation?> FindAsync(string operationId, CancellationToken cancellationToken = default) => inner.FindAsync(operationId, cancellationToken);

        public ValueTask<RotationOperation?> FindActiveAsync(KeyReference key, CancellationToken cancellationToken = default) => inner.FindActiveAsync(key, cancellationToken);

        public IAsyncEnumerable<RotationOperation> ListActiveAsync(CancellationToken cancellationToken = default) => inner.ListActiveAsync(cancellationToken);

        public IAsyncEnumerable<RotationOperation> ListForKeyAsync(KeyReference key, CancellationToken cancellationToken = default) => inner.ListForKeyAsync(key, cancellationToken);

        public ValueTask<RotationOperation> UpdateAsync(RotationOperation operation, CancellationToken cancellationToken = default) => inner.UpdateAsync(operation, cancellationToken);

        public ValueTask<RotationLease?> TryAcquireLeaseAsync(string resource, string owner, Duration duration, Instant now, CancellationToken cancellationToken = default) => inner.TryAcquireLeaseAsync(resource, owner, duration, now, cancellationToken);

        public ValueTask<RotationLease?> RenewLeaseAsync(RotationLease lease, Duration duration, Instant now, CancellationToken cancellationToken = default)
            => LoseLeases ? ValueTask.FromResult<RotationLease?>(null) : inner.RenewLeaseAsync(lease, duration, now, cancellationToken);

        public ValueTask ReleaseLeaseAsync(RotationLease lease, CancellationToken cancellationToken = default) => inner.ReleaseLeaseAsync(lease, cancellationToken);
    }
}
