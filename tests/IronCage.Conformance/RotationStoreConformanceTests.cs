using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Rotation;
using NodaTime;

namespace IronCage.Conformance;

/// <summary>
/// The contract every <see cref="IRotationStore"/> keeps: operations (one unfinished per key, optimistic concurrency,
/// every field round-trips) and leases (acquire, deny, renew, expire and steal, release). Subclass it and implement
/// <see cref="CreateStore"/>; each fact gets a fresh, empty store.
/// </summary>
public abstract class RotationStoreConformanceTests : IAsyncLifetime
{
    // Microsecond precision: the finest every store is expected to keep (PostgreSQL's).
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 22, 9, 30, 15) + Duration.FromTicks(1_234_560);
    private readonly List<IRotationStore> _stores = [];

    /// <inheritdoc />
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            if (store is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else if (store is IDisposable disposable)
            {
                disposable.Dispose();
            }
        }
    }

    [ConformanceFact]
    public async Task Create_ThenFind_RoundTripsEveryField()
    {
        var store = await NewStoreAsync();
        var operation = NewOperation("openai/prod") with
        {
            Step = RotationStep.CreatedAtProvider,
            Note = "scheduled by policy",
            Kind = RotationOperationKind.RevokeFirstRotation,
            PreviousVersionId = "kv_old",
            PreviousProviderKeyId = "key_old",
            EarlyRevocation = EarlyRevocation.Failed,
            ProviderKeyName = "ironcage-prod-1",
            CreateAttempted = true,
            NewProviderKeyId = "key_new",
            NewSecret = new EncryptedSecret { KeyEncryptionKeyId = "local-0011223344556677", WrappedDataKey = Bytes(60, 1), Nonce = Bytes(12, 2), Ciphertext = Bytes(90, 3) },
            NewDisplayHint = "sk-…abcd",
            NewFingerprint = "fp1.local-0011223344556677.abc",
            NewExpiresAt = T0 + Duration.FromDays(90),
            GracePeriodOverride = Duration.FromHours(2),
            GraceEndsAt = T0 + Duration.FromHours(2),
            RemindersSent = 2,
            LastReminderAt = T0 + Duration.FromMinutes(5),
            Attempts = 3,
            NextAttemptAt = T0 + Duration.FromMinutes(4),
            LastError = "Transient: 503",
            RollbackReason = "The gateway refused the write.",
        };

        var created = await store.CreateAsync(operation);
        var found = await store.FindAsync(operation.OperationId);

        found.Should().NotBeNull();
        found!.ConcurrencyToken.Should().Be(created.ConcurrencyToken);
        found.Should().BeEquivalentTo(operation, o => o.Excluding(x => x.ConcurrencyToken).Excluding(x => x.NewSecret));
        found.NewSecret!.KeyEncryptionKeyId.Should().Be("local-0011223344556677");
        found.NewSecret.WrappedDataKey.ToArray().Should().Equal(operation.NewSecret.WrappedDataKey.ToArray());
        found.NewSecret.Nonce.ToArray().Should().Equal(operation.NewSecret.Nonce.ToArray());
        found.NewSecret.Ciphertext.ToArray().Should().Equal(operation.NewSecret.Ciphertext.ToArray());
    }

    [ConformanceFact]
    public async Task Create_SecondUnfinishedOperationForAKey_IsAConflict()
    {
        var store = await NewStoreAsync();
        var first = await store.CreateAsync(NewOperation("openai/prod"));

        var act = async () => await store.CreateAsync(NewOperation("openai/prod"));

        var conflict = (await act.Should().ThrowAsync<RotationConflictException>()).Which;
        conflict.ActiveOperationId.Should().Be(first.OperationId);
        (await store.CreateAsync(NewOperation("openai/other"))).Should().NotBeNull("another key is independent");
    }

    [ConformanceFact]
    public async Task Create_AfterTheActiveOperationFinished_IsAllowed()
    {
        var store = await NewStoreAsync();
        var first = await store.CreateAsync(NewOperation("openai/prod"));
        await store.UpdateAsync(first with { Step = RotationStep.Completed, EndedAt = T0 + Duration.FromHours(1) });

        var second = await store.CreateAsync(NewOperation("openai/prod"));

        (await store.FindActiveAsync(KeyReference.Parse("openai/prod")))!.OperationId.Should().Be(second.OperationId);
    }

    [ConformanceFact]
    public async Task Update_WithCurrentToken_StoresAndAdvancesTheToken()
    {
        var store = await NewStoreAsync();
        var created = await store.CreateAsync(NewOperation("openai/prod"));

        var updated = await store.UpdateAsync(created with { Step = RotationStep.StoredPending });

        updated.ConcurrencyToken.Should().BeGreaterThan(created.ConcurrencyToken);
        (await store.FindAsync(created.OperationId))!.Step.Should().Be(RotationStep.StoredPending);
    }

    [ConformanceFact]
    public async Task Update_WithStaleToken_IsAConflictAndChangesNothing()
    {
        var store = await NewStoreAsync();
        var created = await store.CreateAsync(NewOperation("openai/prod"));
        await store.UpdateAsync(created with { Step = RotationStep.StoredPending });

        var act = async () => await store.UpdateAsync(created with { Step = RotationStep.Failed });

        await act.Should().ThrowAsync<RotationConflictException>();
        (await store.FindAsync(created.OperationId))!.Step.Should().Be(RotationStep.StoredPending);
    }

    [ConformanceFact]
    public async Task Update_Concurrently_ExactlyOneWriterWins()
    {
        var store = await NewStoreAsync();
        var created = await store.CreateAsync(NewOperation("openai/prod"));
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            try
            {
                await store.UpdateAsync(created with { Attempts = i + 1 });
                return true;
            }
            catch (RotationConflictException)
            {
                return false;
            }
        })));

        outcomes.Count(won => won).Should().Be(1);
    }

    [ConformanceFact]
    public async Task FindActive_AndLists_SeeOnlyWhatTheyShould()
    {
        var store = await NewStoreAsync();
        var done = await store.CreateAsync(NewOperation("openai/a", T0));
        await store.UpdateAsync(done with { Step = RotationStep.Completed });
        var later = await store.CreateAsync(NewOperation("openai/a", T0 + Duration.FromHours(1)));
        var other = await store.CreateAsync(NewOperation("groq/b", T0 + Duration.FromMinutes(30)));

        (await store.FindActiveAsync(KeyReference.Parse("openai/a")))!.OperationId.Should().Be(later.OperationId);
        (await store.FindActiveAsync(KeyReference.Parse("openai/none"))).Should().BeNull();
        (await store.FindAsync("rot_missing")).Should().BeNull();
        (await ToListAsync(store.ListActiveAsync())).Select(o => o.OperationId).Should().Equal(other.OperationId, later.OperationId);
        (await ToListAsync(store.ListForKeyAsync(KeyReference.Parse("openai/a")))).Select(o => o.OperationId).Should().Equal(later.OperationId, done.OperationId);
    }

    [ConformanceFact]
    public async Task Lease_IsExclusiveUntilItExpires()
    {
        var store = await NewStoreAsync();
        var lease = await store.TryAcquireLeaseAsync("rotation:openai/prod", "host-a", Duration.FromMinutes(5), T0);

        lease.Should().NotBeNull();
        lease!.Owner.Should().Be("host-a");
        lease.ExpiresAt.Should().Be(T0 + Duration.FromMinutes(5));
        (await store.TryAcquireLeaseAsync("rotation:openai/prod", "host-b", Duration.FromMinutes(5), T0 + Duration.FromMinutes(4))).Should().BeNull();
        (await store.TryAcquireLeaseAsync("rotation:openai/other", "host-b", Duration.FromMinutes(5), T0)).Should().NotBeNull("leases are per resource");

        var stolen = await store.TryAcquireLeaseAsync("rotation:openai/prod", "host-b", Duration.FromMinutes(5), T0 + Duration.FromMinutes(6));
        stolen.Should().NotBeNull("an expired lease may be taken over");
        stolen!.Token.Should().BeGreaterThan(lease.Token);
    }

    [ConformanceFact]
    public async Task Lease_IsNotReentrant()
    {
        var store = await NewStoreAsync();
        (await store.TryAcquireLeaseAsync("rotation:k", "host-a", Duration.FromMinutes(5), T0)).Should().NotBeNull();
        (await store.TryAcquireLeaseAsync("rotation:k", "host-a", Duration.FromMinutes(5), T0 + Duration.FromMinutes(1))).Should().BeNull("a held lease is refused even to its owner, so two passes of one host exclude each other");
    }

    [ConformanceFact]
    public async Task Lease_RenewExtendsAHeldLeaseAndFailsForALostOne()
    {
        var store = await NewStoreAsync();
        var lease = (await store.TryAcquireLeaseAsync("rotation:k", "host-a", Duration.FromMinutes(5), T0))!;

        var renewed = await store.RenewLeaseAsync(lease, Duration.FromMinutes(5), T0 + Duration.FromMinutes(4));
        renewed!.ExpiresAt.Should().Be(T0 + Duration.FromMinutes(9));
        (await store.TryAcquireLeaseAsync("rotation:k", "host-b", Duration.FromMinutes(5), T0 + Duration.FromMinutes(6))).Should().BeNull("the renewed lease still holds");

        var taken = await store.TryAcquireLeaseAsync("rotation:k", "host-b", Duration.FromMinutes(5), T0 + Duration.FromMinutes(10));
        taken.Should().NotBeNull();
        (await store.RenewLeaseAsync(renewed, Duration.FromMinutes(5), T0 + Duration.FromMinutes(11))).Should().BeNull("host-a lost it");
    }

    [ConformanceFact]
    public async Task Lease_ReleaseFreesItOnlyForItsHolder()
    {
        var store = await NewStoreAsync();
        var old = (await store.TryAcquireLeaseAsync("rotation:k", "host-a", Duration.FromMinutes(5), T0))!;
        var current = (await store.TryAcquireLeaseAsync("rotation:k", "host-b", Duration.FromMinutes(5), T0 + Duration.FromMinutes(6)))!;

        await store.ReleaseLeaseAsync(old);
        (await store.TryAcquireLeaseAsync("rotation:k", "host-c", Duration.FromMinutes(5), T0 + Duration.FromMinutes(7))).Should().BeNull("a stale holder cannot release someone else's lease");

        await store.ReleaseLeaseAsync(current);
        (await store.TryAcquireLeaseAsync("rotation:k", "host-c", Duration.FromMinutes(5), T0 + Duration.FromMinutes(7))).Should().NotBeNull();
    }

    [ConformanceFact]
    public async Task Lease_ConcurrentAcquire_OnlyOneWins()
    {
        var store = await NewStoreAsync();
        var leases = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () => await store.TryAcquireLeaseAsync("rotation:k", "host-" + i, Duration.FromMinutes(5), T0))));
        leases.Count(l => l is not null).Should().Be(1);
    }

    [ConformanceFact]
    public async Task Operations_HonourCancellation()
    {
        var store = await NewStoreAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var act = async () => await store.CreateAsync(NewOperation("openai/prod"), cancelled.Token);
        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    /// <summary>Creates an empty store for one test; the suite disposes it afterwards if it is disposable.</summary>
    /// <returns>The store.</returns>
    protected abstract IRotationStore CreateStore();

    private static RotationOperation NewOperation(string key, Instant? at = null) => new()
    {
        OperationId = RotationOperation.NewOperationId(),
        Key = KeyReference.Parse(key),
        Reason = RotationReason.Scheduled,
        Tier = RotationTier.Automatic,
        Step = RotationStep.Requested,
        RequestedBy = "scheduler",
        RequestedAt = at ?? T0,
        UpdatedAt = at ?? T0,
        NewVersionId = KeyVersion.NewVersionId(),
    };

    private static byte[] Bytes(int length, byte seed) => Enumerable.Range(0, length).Select(i => (byte)(seed + (i * 7))).ToArray();

    private static async Task<List<RotationOperation>> ToListAsync(IAsyncEnumerable<RotationOperation> source)
    {
        var list = new List<RotationOperation>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }

    private Task<IRotationStore> NewStoreAsync()
    {
        var store = CreateStore();
        _stores.Add(store);
        return Task.FromResult(store);
    }
}
