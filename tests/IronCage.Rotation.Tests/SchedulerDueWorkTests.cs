using System.Runtime.CompilerServices;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Storage;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Rotation.Tests;

/// <summary>The scheduler finds its work with the stores' due queries, and one key's failure stays its own.</summary>
public sealed class SchedulerDueWorkTests
{
    private static readonly RotationPolicy Monthly = new() { Schedule = RotationSchedule.Monthly };

    [Fact]
    public async Task RunDue_ManyKeysFewDue_NeverListsEveryKeyAndReadsOnlyTheDueOnes()
    {
        var shared = new RotationHarness.SharedState();
        var keys = new NoListingKeyStore(shared.Keys);
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI), shared: shared, extend: b => b.Services.AddSingleton<IKeyStore>(keys));
        for (var i = 0; i < 500; i++)
        {
            await harness.RegisterAsync("on-demand-" + i);
        }

        for (var i = 0; i < 10; i++)
        {
            await harness.RegisterAsync("monthly-" + i, Monthly);
        }

        harness.Clock.Reset(Instant.FromUtc(2026, 12, 1, 9, 0));
        keys.Reads = 0;

        var result = await harness.Scheduler.RunDueAsync(harness.Clock.GetCurrentInstant());

        result.Started.Should().Be(10);
        result.Errors.Should().Be(0);
        keys.Reads.Should().BeLessThan(10 * 20, "only the ten due keys are read, each a few times by the rotation itself");
        keys.DueQueries.Should().Be(1);
    }

    [Fact]
    public async Task RunDue_NothingDue_ReadsNoKey()
    {
        var shared = new RotationHarness.SharedState();
        var keys = new NoListingKeyStore(shared.Keys);
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI), shared: shared, extend: b => b.Services.AddSingleton<IKeyStore>(keys));
        for (var i = 0; i < 20; i++)
        {
            await harness.RegisterAsync("monthly-" + i, Monthly);
        }

        keys.Reads = 0;

        var result = await harness.Scheduler.RunDueAsync(harness.Clock.GetCurrentInstant() + Duration.FromDays(1));

        result.Should().Be(new SchedulerRunResult());
        keys.Reads.Should().Be(0);
    }

    [Fact]
    public async Task RunDue_OneKeyWithAnUnusableSchedule_DoesNotStopTheOthers()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider);
        var (broken, secret) = await harness.RegisterAsync("broken", Monthly);
        await harness.RegisterAsync("fine-1", Monthly);
        await harness.RegisterAsync("fine-2", Monthly);

        // A schedule that runs past the calendar's last year (schedules are bounded to 10 years, so the current version
        // is dated near the end of the calendar): no due instant can be computed from it.
        var read = await harness.Keys.GetAsync(broken.Reference);
        var stored = await harness.Keys.UpdateAsync(read with
        {
            Policy = new RotationPolicy { Schedule = RotationSchedule.Parse("P10Y") },
            Versions = [.. read.Versions.Select(v => v.Stage == KeyStage.Current ? v with { ActivatedAt = Instant.FromUtc(9995, 1, 1, 0, 0) } : v)],
        });
        stored.NextDueAt.Should().BeNull("the store cannot compute it, so the scheduler must look at the key");
        harness.Clock.Reset(Instant.FromUtc(2026, 12, 1, 9, 0));

        var first = await harness.Scheduler.RunDueAsync(harness.Clock.GetCurrentInstant());

        first.Started.Should().Be(2);
        first.Errors.Should().Be(1);
        (await harness.Operations.FindActiveAsync(broken.Reference)).Should().BeNull();
        (await harness.Operations.FindActiveAsync(KeyReference.Parse("openai/fine-1"))).Should().NotBeNull();
        (await harness.Operations.FindActiveAsync(KeyReference.Parse("openai/fine-2"))).Should().NotBeNull();
        harness.Shared.Logs.Lines.Should().Contain(l => l.Contains("openai/broken", StringComparison.Ordinal) && l.Contains("could not work on", StringComparison.Ordinal));
        harness.Shared.Logs.Lines.Should().NotContain(l => l.Contains(secret.Reveal(), StringComparison.Ordinal));

        harness.Clock.AdvanceHours(24);
        var second = await harness.Scheduler.RunDueAsync(harness.Clock.GetCurrentInstant());
        second.Completed.Should().Be(2, "the grace periods of the healthy keys still end");
        second.Errors.Should().Be(1, "the broken key is reported again until it is fixed");
    }

    [Fact]
    public async Task RunDue_ARotationThatThrows_IsCountedAndTheOthersGoOn()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider);
        await harness.RegisterAsync("fine", Monthly);
        await harness.RegisterAsync("other", Monthly);
        harness.Clock.Reset(Instant.FromUtc(2026, 12, 1, 9, 0));

        // An unfinished operation whose key no longer exists (deleted by hand): resuming it throws.
        await harness.Operations.CreateAsync(new RotationOperation
        {
            OperationId = RotationOperation.NewOperationId(),
            Key = KeyReference.Parse("openai/vanished"),
            Reason = RotationReason.Scheduled,
            Tier = RotationTier.Automatic,
            Step = RotationStep.Verified,
            RequestedBy = "scheduler",
            RequestedAt = harness.Clock.GetCurrentInstant(),
            UpdatedAt = harness.Clock.GetCurrentInstant(),
            NewVersionId = KeyVersion.NewVersionId(),
        });

        var result = await harness.Scheduler.RunDueAsync(harness.Clock.GetCurrentInstant());

        result.Errors.Should().Be(1);
        result.Started.Should().Be(2, "both registered keys are due and rotate");
    }

    [Fact]
    public async Task ExpiryWarning_TwoInstancesAtOnce_WarnOnce()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        var clock = FakeClock.FromUtc(2026, 11, 1, 9, 0, 0);
        var shared = new RotationHarness.SharedState();
        using var first = new RotationHarness(provider, clock, shared);
        using var second = new RotationHarness(provider, clock, shared);
        for (var i = 0; i < 20; i++)
        {
            await first.RegisterAsync("expiring-" + i, expiresAt: clock.GetCurrentInstant() + Duration.FromDays(10));
        }

        var now = clock.GetCurrentInstant();
        var results = await Task.WhenAll(Task.Run(() => first.Scheduler.RunDueAsync(now)), Task.Run(() => second.Scheduler.RunDueAsync(now)));

        results.Sum(r => r.ExpiryWarnings).Should().Be(20);
        shared.Events.All.OfType<KeyExpiringSoon>().GroupBy(e => e.Key).Should().HaveCount(20).And.OnlyContain(g => g.Count() == 1);
        (await first.Keys.ListDueAsync(now, 100)).Should().BeEmpty("each warning is recorded, so the keys are no longer due");
    }

    [Fact]
    public async Task Reminder_SentTwiceForTheSameOperation_IsRecordedOnce()
    {
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.Groq));
        await harness.RegisterAsync("prod", Monthly);
        harness.Clock.Reset(Instant.FromUtc(2026, 12, 1, 10, 0));
        await harness.Scheduler.RunDueAsync(harness.Clock.GetCurrentInstant());
        var awaiting = (await harness.Operations.FindActiveAsync(KeyReference.Parse("groq/prod")))!;
        awaiting.RemindersSent.Should().Be(1);
        harness.Clock.AdvanceHours(25);
        var stale = (await harness.Operations.FindActiveAsync(awaiting.Key))!;
        var reminders = harness.Services.GetRequiredService<OverdueReminders>();

        var sent = await Task.WhenAll(reminders.SendAsync(stale, harness.Clock.GetCurrentInstant(), default), reminders.SendAsync(stale, harness.Clock.GetCurrentInstant(), default));

        sent.Count(s => s).Should().Be(1, "the second copy carries a stale concurrency token");
        (await harness.Operations.FindActiveAsync(awaiting.Key))!.RemindersSent.Should().Be(2);
        harness.Shared.Events.All.OfType<RotationOverdue>().Should().HaveCount(2);
    }

    [Fact]
    public async Task AddRotationScheduler_MaxKeysPerPassBelowOne_StopsStartUp()
    {
        using var host = Host.CreateDefaultBuilder()
            .ConfigureServices(services => services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
                .AddRotationScheduler(o => o.MaxKeysPerPass = 0))
            .Build();

        var act = async () => await host.StartAsync();

        (await act.Should().ThrowAsync<Microsoft.Extensions.Options.OptionsValidationException>()).Which.Message.Should().Contain("MaxKeysPerPass");
    }

    /// <summary>A key store that refuses to list every key, and counts reads, so a test sees the scheduler never does.</summary>
    private sealed class NoListingKeyStore(InMemoryKeyStore inner) : IKeyStore
    {
        public int Reads;

        public int DueQueries;

        public ValueTask<ManagedKey?> FindAsync(KeyReference key, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Reads);
            return inner.FindAsync(key, cancellationToken);
        }

        public ValueTask<ManagedKey> GetAsync(KeyReference key, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Reads);
            return inner.GetAsync(key, cancellationToken);
        }

        public async IAsyncEnumerable<ManagedKey> ListAsync(ProviderId? provider = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await Task.CompletedTask;
            throw new InvalidOperationException("The scheduler must not list every key.");
#pragma warning disable CS0162 // Unreachable: the method must stay an iterator.
            yield break;
#pragma warning restore CS0162
        }

        public ValueTask<IReadOnlyList<KeyReference>> ListDueAsync(Instant now, int limit, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref DueQueries);
            return inner.ListDueAsync(now, limit, cancellationToken);
        }

        public ValueTask<ManagedKey> CreateAsync(ManagedKey key, CancellationToken cancellationToken = default) => inner.CreateAsync(key, cancellationToken);

        public ValueTask<ManagedKey> UpdateAsync(ManagedKey key, CancellationToken cancellationToken = default) => inner.UpdateAsync(key, cancellationToken);

        public ValueTask DeleteAsync(KeyReference key, long expectedConcurrencyToken, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, expectedConcurrencyToken, cancellationToken);
    }
}
