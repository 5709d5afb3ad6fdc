using IronCage.Storage;
using NodaTime;

namespace IronCage.Conformance;

/// <summary>The scheduler's due query (<see cref="IKeyStore.ListDueAsync"/>) and the <see cref="ManagedKey.NextDueAt"/> every write stores.</summary>
public abstract partial class KeyStoreConformanceTests
{
    private static readonly Duration Lead = IronCageConstants.DefaultExpiryWarningLead;

    [ConformanceFact]
    public async Task ListDue_ScheduledKey_IsListedFromItsDueInstantOn()
    {
        var store = await NewStoreAsync();
        var key = Scheduled("openai/monthly", RotationSchedule.Monthly);
        var due = key.Policy.NextDue(T0, key.Reference)!.Value;

        var created = await store.CreateAsync(key);

        created.NextDueAt.Should().Be(due);
        (await store.GetAsync(key.Reference)).NextDueAt.Should().Be(due, "the store keeps what it computed");
        (await store.ListDueAsync(due - Duration.FromTicks(10), 10)).Should().BeEmpty();
        (await store.ListDueAsync(due, 10)).Should().Equal(key.Reference);
    }

    [ConformanceFact]
    public async Task ListDue_KeyWithNothingScheduled_IsNeverListed()
    {
        var store = await NewStoreAsync();

        var created = await store.CreateAsync(NewKey("openai/on-demand"));

        created.NextDueAt.Should().Be(ManagedKeyDue.Never);
        (await store.ListDueAsync(Instant.FromUtc(9000, 1, 1, 0, 0), 10)).Should().BeEmpty();
    }

    [ConformanceFact]
    public async Task ListDue_ExpiringVersion_IsListedAtItsWarningUntilTheWarningIsRecorded()
    {
        var store = await NewStoreAsync();
        var expiresAt = T0 + Duration.FromDays(20);
        var key = NewKey("openai/expiring") with { Versions = [NewVersion("kv_1", KeyStage.Current) with { ExpiresAt = expiresAt }] };

        var created = await store.CreateAsync(key);

        created.NextDueAt.Should().Be(expiresAt - Lead);
        (await store.ListDueAsync(expiresAt - Lead - Duration.FromTicks(10), 10)).Should().BeEmpty();
        (await store.ListDueAsync(expiresAt - Lead, 10)).Should().Equal(key.Reference);

        var warned = await store.UpdateAsync(ManagedKeyTransitions.MarkExpiryWarned(created, "kv_1", expiresAt - Lead));

        warned.NextDueAt.Should().Be(ManagedKeyDue.Never, "a version is warned about once");
        (await store.ListDueAsync(expiresAt, 10)).Should().BeEmpty();
    }

    [ConformanceFact]
    public async Task ListDue_ScheduleAndExpiry_IsDueAtTheEarlierOfTheTwo()
    {
        var store = await NewStoreAsync();
        var expiresAt = T0 + Duration.FromDays(7);
        var key = Scheduled("openai/both", RotationSchedule.Monthly) with { Versions = [Current() with { ExpiresAt = expiresAt }] };

        var created = await store.CreateAsync(key);

        created.NextDueAt.Should().Be(expiresAt - Lead);
    }

    [ConformanceFact]
    public async Task ListDue_KeyRenewedBeforeExpiry_IsListedAtItsRenewal_AndTheLeadSurvivesTheStore()
    {
        var store = await NewStoreAsync();
        var expiresAt = T0 + Duration.FromHours(12);
        var key = NewKey("aws-bedrock-short-term/prod") with
        {
            Policy = new RotationPolicy { RenewBeforeExpiry = Duration.FromHours(1) },
            Versions = [Current() with { ExpiresAt = expiresAt }],
        };

        var created = await store.CreateAsync(key);

        created.NextDueAt.Should().Be(expiresAt - Duration.FromHours(1), "a generated key is due an hour before it expires, not at the 14-day expiry warning");
        (await store.ListDueAsync(expiresAt - Duration.FromHours(1) - Duration.FromTicks(10), 10)).Should().BeEmpty();
        (await store.ListDueAsync(expiresAt - Duration.FromHours(1), 10)).Should().Equal(key.Reference);
        var read = await store.GetAsync(key.Reference);
        read.Policy.RenewBeforeExpiry.Should().Be(Duration.FromHours(1), "the renewal lead is stored with the policy");
        (await store.UpdateAsync(read with { Description = "renewed hourly" })).NextDueAt.Should().Be(created.NextDueAt, "a write after a read computes the same due instant");
    }

    [ConformanceFact]
    public async Task Update_ChangedPolicyOrRotation_MovesTheDueInstant()
    {
        var store = await NewStoreAsync();
        var created = await store.CreateAsync(Scheduled("openai/prod", RotationSchedule.Quarterly));

        var weekly = await store.UpdateAsync(created with { Policy = new RotationPolicy { Schedule = RotationSchedule.Weekly } });
        weekly.NextDueAt.Should().Be(T0 + Duration.FromDays(7), "a shorter schedule brings the rotation forward");

        var rotatedAt = T0 + Duration.FromDays(8);
        var pending = ManagedKeyTransitions.AddPending(weekly, NewVersion("kv_2", KeyStage.Pending));
        var rotated = await store.UpdateAsync(ManagedKeyTransitions.Promote(pending, "kv_2", rotatedAt, killReplaced: false));

        rotated.NextDueAt.Should().Be(rotatedAt + Duration.FromDays(7), "the schedule counts from the new current version");
        (await store.ListDueAsync(rotatedAt, 10)).Should().BeEmpty();
        (await store.GetAsync(rotated.Reference)).NextDueAt.Should().Be(rotated.NextDueAt);
    }

    [ConformanceFact]
    public async Task Create_CallerSetsNextDueAt_TheStoreComputesItInstead()
    {
        var store = await NewStoreAsync();

        var created = await store.CreateAsync(NewKey("openai/prod") with { NextDueAt = T0 });

        created.NextDueAt.Should().Be(ManagedKeyDue.Never);
        (await store.ListDueAsync(T0, 10)).Should().BeEmpty();
    }

    [ConformanceFact]
    public async Task ListDue_ManyDueKeys_ReturnsTheEarliestFirstUpToTheLimit()
    {
        var store = await NewStoreAsync();
        for (var i = 5; i >= 1; i--)
        {
            var schedule = RotationSchedule.FromPeriod(Period.FromDays(i));
            await store.CreateAsync(Scheduled("openai/key-" + i, schedule));
        }

        await store.CreateAsync(Scheduled("openai/key-1b", RotationSchedule.FromPeriod(Period.FromDays(1))));
        await store.CreateAsync(Scheduled("openai/later", RotationSchedule.Quarterly));

        var due = await store.ListDueAsync(T0 + Duration.FromDays(30), 4);

        due.Select(r => r.Name).Should().Equal("key-1", "key-1b", "key-2", "key-3");
        (await store.ListDueAsync(T0 + Duration.FromDays(30), 100)).Should().HaveCount(6, "the quarterly key is not due yet");
    }

    [ConformanceFact]
    public async Task ListDue_DeletedKey_IsNotListed()
    {
        var store = await NewStoreAsync();
        var created = await store.CreateAsync(Scheduled("openai/prod", RotationSchedule.Weekly));

        await store.DeleteAsync(created.Reference, created.ConcurrencyToken);

        (await store.ListDueAsync(T0 + Duration.FromDays(30), 10)).Should().BeEmpty();
    }

    [ConformanceFact]
    public async Task ListDue_LimitBelowOne_Throws()
    {
        var store = await NewStoreAsync();

        var act = async () => await store.ListDueAsync(T0, 0);

        await act.Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    private static ManagedKey Scheduled(string reference, RotationSchedule schedule) => NewKey(reference) with
    {
        Policy = new RotationPolicy { Schedule = schedule },
        Versions = [Current()],
    };

    private static KeyVersion Current() => NewVersion("kv_1", KeyStage.Current) with { ActivatedAt = T0 };
}
