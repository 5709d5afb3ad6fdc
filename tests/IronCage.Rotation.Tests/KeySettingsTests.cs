using IronCage.Auditing;
using IronCage.Storage;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Rotation.Tests;

public sealed class KeySettingsTests
{
    private static readonly RotationRequest Alice = new() { Actor = "alice", IpAddress = "10.0.0.7", Note = "quarterly now" };

    [Fact]
    public async Task ChangePolicy_ValidPolicy_StoresItSchedulesTheKeyAndAuditsOldAndNew()
    {
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI));
        var (registered, secret) = await harness.RegisterAsync();
        registered.NextDueAt.Should().Be(ManagedKeyDue.Never, "a key without a schedule has nothing due");

        var policy = new RotationPolicy { Schedule = RotationSchedule.Parse("P30D"), GracePeriod = Duration.FromHours(2) };
        var changed = await harness.Rotator.ChangePolicyAsync(registered.Reference, policy, Alice);

        changed.Policy.Should().Be(policy);
        changed.Versions.Should().BeEquivalentTo(registered.Versions, "the versions are untouched");
        (await harness.Keys.GetAsync(registered.Reference)).NextDueAt.Should().Be(registered.CurrentVersion!.ActivatedAt!.Value + Duration.FromDays(30));
        var record = await LastAuditAsync(harness);
        record.Action.Should().Be(AuditAction.KeyPolicyChange);
        record.Actor.Should().Be("alice");
        record.IpAddress.Should().Be("10.0.0.7");
        record.Reason.Should().Be("quarterly now");
        record.Target.Should().Be(registered.Reference.ToString());
        record.Details["old"].Should().Contain("schedule=none");
        record.Details["new"].Should().Contain("schedule=P30D").And.Contain("grace=0:02:00:00");
        record.Details.Values.Should().NotContain(v => v.Contains(secret.Reveal(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChangePolicy_InvalidPolicy_ThrowsTheRegistrationErrorAndChangesNothing()
    {
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI));
        var (registered, _) = await harness.RegisterAsync();
        var invalid = new RotationPolicy { GracePeriod = Duration.FromDays(31) };
        var before = await CountAuditAsync(harness);

        var change = async () => await harness.Rotator.ChangePolicyAsync(registered.Reference, invalid);
        var register = async () => await harness.RegisterAsync("other", invalid);

        var changeError = (await change.Should().ThrowAsync<RotationPolicyException>()).Which;
        var registerError = (await register.Should().ThrowAsync<RotationPolicyException>()).Which;
        changeError.Message.Should().Be(registerError.Message);
        (await harness.Keys.GetAsync(registered.Reference)).Policy.Should().Be(RotationPolicy.Default);
        (await CountAuditAsync(harness)).Should().Be(before, "a refused change writes no audit record of its own");
    }

    [Fact]
    public async Task ChangePolicy_Null_ResetsToTheDefaultPolicy()
    {
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI));
        var (registered, _) = await harness.RegisterAsync(policy: new RotationPolicy { Schedule = RotationSchedule.Monthly });

        var changed = await harness.Rotator.ChangePolicyAsync(registered.Reference, null);

        changed.Policy.Schedule.Should().BeNull();
        changed.NextDueAt.Should().Be(ManagedKeyDue.Never);
    }

    [Fact]
    public async Task ChangePolicy_SamePolicy_WritesNothing()
    {
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI));
        var (registered, _) = await harness.RegisterAsync(policy: new RotationPolicy { Schedule = RotationSchedule.Monthly });
        var before = await CountAuditAsync(harness);

        var same = await harness.Rotator.ChangePolicyAsync(registered.Reference, new RotationPolicy { Schedule = RotationSchedule.Monthly });

        same.ConcurrencyToken.Should().Be(registered.ConcurrencyToken);
        (await CountAuditAsync(harness)).Should().Be(before);
    }

    [Fact]
    public async Task ChangePolicy_UnknownKey_ThrowsNotFound()
    {
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI));

        var act = async () => await harness.Rotator.ChangePolicyAsync(new KeyReference(ProviderId.OpenAI, "missing"), RotationPolicy.Default);

        await act.Should().ThrowAsync<ManagedKeyNotFoundException>();
    }

    [Fact]
    public async Task ChangePolicy_WhileARotationWaitsForItsKey_KeepsTheRotationAndItUsesTheNewGrace()
    {
        var provider = FakeProviderAdapter.For(ProviderId.Anthropic);
        using var harness = new RotationHarness(provider);
        var (registered, _) = await harness.RegisterAsync();
        var waiting = await harness.Rotator.RotateAsync(registered.Reference, RotationReason.Manual);
        waiting.Step.Should().Be(RotationStep.AwaitingNewKey);

        await harness.Rotator.ChangePolicyAsync(registered.Reference, new RotationPolicy { GracePeriod = Duration.FromHours(3) });
        using var supplied = FakeKeys.Generate(ProviderId.Anthropic);
        provider.AddExistingKey(supplied, "created by a person");
        var operation = await harness.Rotator.SupplyNewKeyAsync(registered.Reference, supplied);

        operation.OperationId.Should().Be(waiting.OperationId);
        operation.Step.Should().Be(RotationStep.GracePeriod);
        operation.GraceEndsAt.Should().Be(harness.Clock.GetCurrentInstant() + Duration.FromHours(3));
        harness.Clock.AdvanceHours(3);
        (await harness.Rotator.ResumeAsync(operation.OperationId)).Step.Should().Be(RotationStep.Completed);
        await harness.AssertInvariantsAsync(registered.Reference);
    }

    [Fact]
    public async Task ChangeLimits_ValidLimits_StoresThemAnnouncesTheKeyAndAudits()
    {
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI));
        var (registered, _) = await harness.RegisterAsync();
        var announced = new List<KeyReference>();
        harness.Shared.Keys.KeyChanged += (_, e) => announced.Add(e.Key);
        var limits = new UsageLimits { Limits = [new UsageLimit(UsageMetric.Requests, UsageWindow.Day, 1000)], AlertThresholds = [0.5m] };

        var changed = await harness.Rotator.ChangeLimitsAsync(registered.Reference, limits, Alice);

        changed.Limits.Limits.Should().ContainSingle().Which.Limit.Should().Be(1000);
        announced.Should().Contain(registered.Reference, "the usage gate re-reads limits when the change feed names the key");
        var record = await LastAuditAsync(harness);
        record.Action.Should().Be(AuditAction.KeyLimitsChange);
        record.Actor.Should().Be("alice");
        record.Details["old"].Should().Be("limits=none; alertThresholds=0.8,0.95");
        record.Details["new"].Should().Be("limits=1000 Requests per Day (Hard); alertThresholds=0.5");
    }

    [Fact]
    public async Task ChangeLimits_RepeatedMetricAndWindow_ThrowsAndChangesNothing()
    {
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI));
        var (registered, _) = await harness.RegisterAsync();
        var twice = new UsageLimits { Limits = [new UsageLimit(UsageMetric.Requests, UsageWindow.Day, 10), new UsageLimit(UsageMetric.Requests, UsageWindow.Day, 20)] };

        var act = async () => await harness.Rotator.ChangeLimitsAsync(registered.Reference, twice);

        (await act.Should().ThrowAsync<IronCageException>()).Which.Message.Should().Contain("keep one");
        (await harness.Keys.GetAsync(registered.Reference)).Limits.Limits.Should().BeEmpty();
    }

    [Fact]
    public async Task ChangeLimits_RacingAKillSwitch_KeepsBothChanges()
    {
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI));
        var (registered, _) = await harness.RegisterAsync();
        var limits = new UsageLimits { Limits = [new UsageLimit(UsageMetric.Tokens, UsageWindow.Month, 5_000_000)] };

        await Task.WhenAll(
            Task.Run(() => harness.Rotator.ChangeLimitsAsync(registered.Reference, limits)),
            Task.Run(() => harness.Rotator.KillAsync(registered.Reference, registered.CurrentVersion!.VersionId)));

        var stored = await harness.Keys.GetAsync(registered.Reference);
        stored.Limits.Limits.Should().ContainSingle().Which.Metric.Should().Be(UsageMetric.Tokens);
        stored.CurrentVersion!.IsServable.Should().BeFalse("the kill switch was not lost to the limits write");
    }

    [Fact]
    public async Task ChangeLimits_StoreAlwaysConflicts_GivesUpWithAConflict()
    {
        var store = new AlwaysConflictingKeyStore();
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI), extend: b => b.Services.AddSingleton<IKeyStore>(store));
        var (registered, _) = await harness.RegisterAsync();
        store.Conflict = true;

        var act = async () => await harness.Rotator.ChangeLimitsAsync(registered.Reference, new UsageLimits { AlertThresholds = [0.9m] });

        await act.Should().ThrowAsync<ConcurrencyConflictException>();
        store.Updates.Should().Be(5, "the writer re-reads and re-applies a bounded number of times");
    }

    private static async Task<AuditEvent> LastAuditAsync(RotationHarness harness)
    {
        AuditRecord? last = null;
        await foreach (var record in harness.Shared.Audit.ReadAsync())
        {
            last = record;
        }

        return last!.Event;
    }

    private static async Task<int> CountAuditAsync(RotationHarness harness)
    {
        var count = 0;
        await foreach (var unused in harness.Shared.Audit.ReadAsync())
        {
            count++;
        }

        return count;
    }

    private sealed class AlwaysConflictingKeyStore : IKeyStore
    {
        private readonly InMemoryKeyStore _inner = new();

        public bool Conflict { get; set; }

        public int Updates { get; private set; }

        public ValueTask<ManagedKey?> FindAsync(KeyReference key, CancellationToken cancellationToken = default) => _inner.FindAsync(key, cancellationToken);

        public ValueTask<ManagedKey> GetAsync(KeyReference key, CancellationToken cancellationToken = default) => _inner.GetAsync(key, cancellationToken);

        public IAsyncEnumerable<ManagedKey> ListAsync(ProviderId? provider = null, CancellationToken cancellationToken = default) => _inner.ListAsync(provider, cancellationToken);

        public ValueTask<ManagedKey> CreateAsync(ManagedKey key, CancellationToken cancellationToken = default) => _inner.CreateAsync(key, cancellationToken);

        public ValueTask<ManagedKey> UpdateAsync(ManagedKey key, CancellationToken cancellationToken = default)
        {
            if (!Conflict)
            {
                return _inner.UpdateAsync(key, cancellationToken);
            }

            Updates++;
            throw new ConcurrencyConflictException(key.Reference, key.ConcurrencyToken, key.ConcurrencyToken + 1);
        }

        public ValueTask DeleteAsync(KeyReference key, long expectedConcurrencyToken, CancellationToken cancellationToken = default) => _inner.DeleteAsync(key, expectedConcurrencyToken, cancellationToken);
    }
}
