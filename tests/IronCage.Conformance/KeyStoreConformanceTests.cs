using System.Globalization;
using System.Security.Cryptography;
using IronCage.Encryption;
using IronCage.Providers;
using IronCage.Storage;
using NodaTime;

namespace IronCage.Conformance;

/// <summary>
/// The contract every <see cref="IKeyStore"/> keeps. Subclass it in the store's test project and implement
/// <see cref="CreateStore"/>: every fact here then runs against that store, each with a fresh, empty store.
/// </summary>
/// <remarks>
/// Concurrency tokens are the store's own: the suite asserts only that a write makes the token greater and that a
/// token is never handed out twice for a reference, never particular values.
/// </remarks>
public abstract partial class KeyStoreConformanceTests : IAsyncLifetime
{
    // Instants carry microseconds but no finer: the finest precision every store is expected to keep (PostgreSQL's).
    private static readonly Instant T0 = Instant.FromUtc(2026, 11, 22, 9, 30, 15) + Duration.FromTicks(1_234_560);

    private readonly List<IKeyStore> _stores = [];

    /// <summary>Gets how many keys the volume test stores; lower it only for a store that cannot be fast.</summary>
    protected virtual int VolumeKeyCount => 10_000;

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
    public async Task Create_ThenFindAndGet_ReturnTheStoredKey()
    {
        var store = await NewStoreAsync();
        var key = NewKey("openai/prod");

        var created = await store.CreateAsync(key);

        ShouldMatch(created, key);
        var found = await store.FindAsync(key.Reference);
        found.Should().NotBeNull();
        ShouldMatch(found!, key);
        found!.ConcurrencyToken.Should().Be(created.ConcurrencyToken);
        var got = await store.GetAsync(key.Reference);
        ShouldMatch(got, key);
        got.ConcurrencyToken.Should().Be(created.ConcurrencyToken);
    }

    [ConformanceFact]
    public async Task Create_WithoutVersionsAndWithDefaults_RoundTrips()
    {
        var store = await NewStoreAsync();
        var key = new ManagedKey { Reference = Ref("groq/bare"), CreatedAt = T0 };

        await store.CreateAsync(key);

        ShouldMatch(await store.GetAsync(key.Reference), key);
    }

    [ConformanceFact]
    public async Task Create_ExistingReference_ThrowsAlreadyExistsAndKeepsTheFirst()
    {
        var store = await NewStoreAsync();
        var first = await store.CreateAsync(NewKey("openai/prod") with { Description = "first" });

        var act = async () => await store.CreateAsync(NewKey("openai/prod") with { Description = "second" });

        (await act.Should().ThrowAsync<ManagedKeyAlreadyExistsException>()).Which.Key.Should().Be(first.Reference);
        var stored = await store.GetAsync(first.Reference);
        stored.Description.Should().Be("first");
        stored.ConcurrencyToken.Should().Be(first.ConcurrencyToken);
    }

    [ConformanceFact]
    public async Task Create_SameNameAtAnotherProvider_IsAnotherKey()
    {
        var store = await NewStoreAsync();

        await store.CreateAsync(NewKey("openai/prod") with { Description = "openai" });
        await store.CreateAsync(NewKey("groq/prod") with { Description = "groq" });

        (await store.GetAsync(Ref("openai/prod"))).Description.Should().Be("openai");
        (await store.GetAsync(Ref("groq/prod"))).Description.Should().Be("groq");
    }

    [ConformanceFact]
    public async Task Create_NamesDifferingOnlyInCase_AreDifferentKeys()
    {
        var store = await NewStoreAsync();

        await store.CreateAsync(NewKey("openai/prod") with { Description = "lower" });
        await store.CreateAsync(NewKey("openai/Prod") with { Description = "upper" });

        (await store.GetAsync(Ref("openai/prod"))).Description.Should().Be("lower");
        (await store.GetAsync(Ref("openai/Prod"))).Description.Should().Be("upper");
    }

    [ConformanceFact]
    public async Task Find_Missing_ReturnsNull()
    {
        var store = await NewStoreAsync();
        await store.CreateAsync(NewKey("openai/prod"));

        (await store.FindAsync(Ref("openai/none"))).Should().BeNull();
    }

    [ConformanceFact]
    public async Task Get_Missing_ThrowsNotFound()
    {
        var store = await NewStoreAsync();
        await store.CreateAsync(NewKey("openai/prod"));

        var act = async () => await store.GetAsync(Ref("openai/none"));

        (await act.Should().ThrowAsync<ManagedKeyNotFoundException>()).Which.Key.Should().Be(Ref("openai/none"));
    }

    [ConformanceFact]
    public async Task Delete_Missing_ThrowsNotFound()
    {
        var store = await NewStoreAsync();

        var act = async () => await store.DeleteAsync(Ref("openai/none"), 1);

        (await act.Should().ThrowAsync<ManagedKeyNotFoundException>()).Which.Key.Should().Be(Ref("openai/none"));
    }

    [ConformanceFact]
    public async Task Delete_WithCurrentToken_RemovesTheKey()
    {
        var store = await NewStoreAsync();
        var key = await store.CreateAsync(NewKey("openai/prod"));
        var other = await store.CreateAsync(NewKey("openai/other"));

        await store.DeleteAsync(key.Reference, key.ConcurrencyToken);

        (await store.FindAsync(key.Reference)).Should().BeNull();
        (await ListAsync(store)).Select(k => k.Reference).Should().Equal(other.Reference);
    }

    [ConformanceFact]
    public async Task Delete_WithStaleToken_IsAConflictAndKeepsTheKey()
    {
        var store = await NewStoreAsync();
        var read = await store.CreateAsync(NewKey("openai/prod"));
        var updated = await store.UpdateAsync(read with { Description = "changed" });

        var act = async () => await store.DeleteAsync(read.Reference, read.ConcurrencyToken);

        var conflict = (await act.Should().ThrowAsync<ConcurrencyConflictException>()).Which;
        conflict.Key.Should().Be(read.Reference);
        conflict.ExpectedToken.Should().Be(read.ConcurrencyToken);
        conflict.ActualToken.Should().Be(updated.ConcurrencyToken);
        (await store.GetAsync(read.Reference)).Description.Should().Be("changed");
    }

    [ConformanceFact]
    public async Task Update_WithCurrentToken_StoresTheChangeUnderAGreaterToken()
    {
        var store = await NewStoreAsync();
        var read = await store.CreateAsync(NewKey("openai/prod"));
        var changed = read.WithVersion(NewVersion("kv_2", KeyStage.Pending)) with { Description = "rotating" };

        var updated = await store.UpdateAsync(changed);

        updated.ConcurrencyToken.Should().NotBe(read.ConcurrencyToken).And.BeGreaterThan(read.ConcurrencyToken);
        ShouldMatch(updated, changed);
        var stored = await store.GetAsync(read.Reference);
        stored.ConcurrencyToken.Should().Be(updated.ConcurrencyToken);
        ShouldMatch(stored, changed);
        stored.PendingVersion!.VersionId.Should().Be("kv_2");
    }

    [ConformanceFact]
    public async Task Update_Repeatedly_TokenGrowsEveryTime()
    {
        var store = await NewStoreAsync();
        var key = await store.CreateAsync(NewKey("openai/prod"));
        var tokens = new List<long> { key.ConcurrencyToken };

        for (var i = 0; i < 5; i++)
        {
            key = await store.UpdateAsync(key with { Description = "edit " + i });
            tokens.Add(key.ConcurrencyToken);
        }

        tokens.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
    }

    [ConformanceFact]
    public async Task Update_ReplacingVersions_StoresExactlyTheNewList()
    {
        var store = await NewStoreAsync();
        var read = await store.CreateAsync(NewKey("openai/prod") with
        {
            Versions = [NewVersion("kv_1", KeyStage.Previous), NewVersion("kv_2", KeyStage.Current), NewVersion("kv_3", KeyStage.Pending)],
        });

        // A rotation completes: the oldest version is dropped, Current becomes Previous, Pending becomes Current.
        var rotated = read with
        {
            Versions =
            [
                read.Versions[1] with { Stage = KeyStage.Previous },
                read.Versions[2] with { Stage = KeyStage.Current, ActivatedAt = T0 + Duration.FromHours(1) },
            ],
        };
        await store.UpdateAsync(rotated);

        var stored = await store.GetAsync(read.Reference);
        ShouldMatch(stored, rotated);
        stored.FindVersion("kv_1").Should().BeNull();
        stored.CurrentVersion!.VersionId.Should().Be("kv_3");
        stored.PendingVersion.Should().BeNull();
    }

    [ConformanceFact]
    public async Task Update_WithStaleToken_IsAConflictNamingBothTokens()
    {
        var store = await NewStoreAsync();
        var read = await store.CreateAsync(NewKey("openai/prod"));
        var first = await store.UpdateAsync(read with { Description = "first writer" });

        var act = async () => await store.UpdateAsync(read with { Description = "second writer" });

        var conflict = (await act.Should().ThrowAsync<ConcurrencyConflictException>()).Which;
        conflict.Key.Should().Be(read.Reference);
        conflict.ExpectedToken.Should().Be(read.ConcurrencyToken);
        conflict.ActualToken.Should().Be(first.ConcurrencyToken);
        var stored = await store.GetAsync(read.Reference);
        stored.Description.Should().Be("first writer");
        stored.ConcurrencyToken.Should().Be(first.ConcurrencyToken);
    }

    [ConformanceFact]
    public async Task Update_AfterDelete_IsAConflictWithoutActualToken()
    {
        var store = await NewStoreAsync();
        var read = await store.CreateAsync(NewKey("openai/prod"));
        await store.DeleteAsync(read.Reference, read.ConcurrencyToken);

        var act = async () => await store.UpdateAsync(read with { Description = "too late" });

        var conflict = (await act.Should().ThrowAsync<ConcurrencyConflictException>()).Which;
        conflict.ExpectedToken.Should().Be(read.ConcurrencyToken);
        conflict.ActualToken.Should().BeNull();
        (await store.FindAsync(read.Reference)).Should().BeNull("a failed update must not bring the key back");
    }

    [ConformanceFact]
    public async Task Update_KeyThatNeverExisted_IsAConflictWithoutActualToken()
    {
        var store = await NewStoreAsync();

        var act = async () => await store.UpdateAsync(NewKey("openai/ghost") with { ConcurrencyToken = 1 });

        (await act.Should().ThrowAsync<ConcurrencyConflictException>()).Which.ActualToken.Should().BeNull();
        (await store.FindAsync(Ref("openai/ghost"))).Should().BeNull("an update never creates a key");
    }

    [ConformanceFact]
    public async Task Update_RecreatedKeyWithTheDeletedKeysToken_IsAConflict()
    {
        var store = await NewStoreAsync();
        var old = await store.CreateAsync(NewKey("openai/prod") with { Description = "old" });
        await store.DeleteAsync(old.Reference, old.ConcurrencyToken);
        var recreated = await store.CreateAsync(NewKey("openai/prod") with { Description = "new" });

        // A writer that read the old key must not overwrite the new one, even though both were just created.
        var act = async () => await store.UpdateAsync(old with { Description = "stale writer" });

        recreated.ConcurrencyToken.Should().NotBe(old.ConcurrencyToken, "tokens never repeat for a reference");
        var conflict = (await act.Should().ThrowAsync<ConcurrencyConflictException>()).Which;
        conflict.ExpectedToken.Should().Be(old.ConcurrencyToken);
        conflict.ActualToken.Should().Be(recreated.ConcurrencyToken);
        (await store.GetAsync(old.Reference)).Description.Should().Be("new");
    }

    [ConformanceFact]
    public async Task Delete_RecreatedKeyWithTheDeletedKeysToken_IsAConflict()
    {
        var store = await NewStoreAsync();
        var old = await store.CreateAsync(NewKey("openai/prod"));
        await store.DeleteAsync(old.Reference, old.ConcurrencyToken);
        var recreated = await store.CreateAsync(NewKey("openai/prod"));

        var act = async () => await store.DeleteAsync(old.Reference, old.ConcurrencyToken);

        (await act.Should().ThrowAsync<ConcurrencyConflictException>()).Which.ActualToken.Should().Be(recreated.ConcurrencyToken);
        (await store.FindAsync(old.Reference)).Should().NotBeNull();
    }

    [ConformanceFact]
    public async Task Tokens_AcrossCreateUpdateAndDeleteRounds_NeverRepeatForAReference()
    {
        var store = await NewStoreAsync();
        var seen = new List<long>();

        for (var round = 0; round < 4; round++)
        {
            var key = await store.CreateAsync(NewKey("openai/prod"));
            seen.Add(key.ConcurrencyToken);
            key = await store.UpdateAsync(key with { Description = "round " + round });
            seen.Add(key.ConcurrencyToken);
            await store.DeleteAsync(key.Reference, key.ConcurrencyToken);
        }

        seen.Should().OnlyHaveUniqueItems();
    }

    [ConformanceFact]
    public async Task Versions_EveryStageAndField_RoundTrip()
    {
        var store = await NewStoreAsync();
        var key = NewKey("azure-openai/eastus") with
        {
            Versions =
            [
                FullVersion("kv_revoked", KeyStage.Revoked, 0, "Key1"),
                FullVersion("kv_previous", KeyStage.Previous, 1, "Key2"),
                FullVersion("kv_current", KeyStage.Current, 2, "Key1"),
                FullVersion("kv_pending", KeyStage.Pending, 3, "Key2"),
            ],
        };

        await store.CreateAsync(key);

        var stored = await store.GetAsync(key.Reference);
        ShouldMatch(stored, key);
        stored.Versions.Select(v => v.Stage).Should().Equal(KeyStage.Revoked, KeyStage.Previous, KeyStage.Current, KeyStage.Pending);
    }

    [ConformanceFact]
    public async Task Versions_OptionalFieldsUnset_RoundTripUnset()
    {
        var store = await NewStoreAsync();
        var bare = NewVersion("kv_bare", KeyStage.Current);
        var key = NewKey("openai/prod") with { Versions = [bare] };

        await store.CreateAsync(key);

        var stored = (await store.GetAsync(key.Reference)).Versions.Should().ContainSingle().Subject;
        ShouldMatch(stored, bare);
        stored.ProviderKeyId.Should().BeNull();
        stored.ActivatedAt.Should().BeNull();
        stored.ExpiresAt.Should().BeNull();
        stored.RevokedAt.Should().BeNull();
        stored.LastUsedAt.Should().BeNull();
        stored.Metadata.Should().BeEmpty();
    }

    [ConformanceFact]
    public async Task Settings_KindLabelsScopePolicyAndLimits_RoundTrip()
    {
        var store = await NewStoreAsync();
        var key = NewKey("openai/admin") with
        {
            Kind = KeyKind.Admin,
            Description = "Organisation admin key — rotates monthly",
            Labels = new Dictionary<string, string> { ["environment"] = "prod", ["team"] = "platform", ["empty"] = string.Empty, ["ünïcode"] = "✓" },
            Scope = new Dictionary<string, string> { ["organization"] = "org-123", ["project"] = "proj_abc", ["endpoint"] = "https://example.openai.azure.com" },
            Policy = new RotationPolicy
            {
                Schedule = RotationSchedule.Parse("P1M15D"),
                Window = new MaintenanceWindow([IsoDayOfWeek.Tuesday, IsoDayOfWeek.Thursday], new LocalTime(2, 30), Duration.FromHours(3), DateTimeZoneProviders.Tzdb["Europe/Berlin"]),
                GracePeriod = Duration.FromHours(36),
                ExpiryWarningLead = Duration.FromDays(10),
                RenewBeforeExpiry = Duration.FromMinutes(45),
                Jitter = Duration.FromMinutes(90),
            },
            Limits = new UsageLimits
            {
                Limits =
                [
                    new UsageLimit(UsageMetric.Requests, UsageWindow.Minute, 600),
                    new UsageLimit(UsageMetric.Cost, UsageWindow.Month, 1234.56m, LimitEnforcement.Soft),
                    new UsageLimit(UsageMetric.Tokens, UsageWindow.Day, 2_000_000),
                ],
                AlertThresholds = [0.5m, 0.9m, 1m],
            },
        };

        await store.CreateAsync(key);

        ShouldMatch(await store.GetAsync(key.Reference), key);
    }

    [ConformanceFact]
    public async Task Settings_ChangedByUpdate_RoundTrip()
    {
        var store = await NewStoreAsync();
        var read = await store.CreateAsync(NewKey("openai/prod") with { Labels = new Dictionary<string, string> { ["environment"] = "staging" } });
        var changed = read with
        {
            Description = "promoted",
            Labels = new Dictionary<string, string> { ["environment"] = "prod" },
            Scope = new Dictionary<string, string> { ["project"] = "proj_prod" },
            Policy = new RotationPolicy { Schedule = RotationSchedule.Weekly },
            Limits = new UsageLimits { Limits = [new UsageLimit(UsageMetric.OutputTokens, UsageWindow.Hour, 50_000)] },
        };

        await store.UpdateAsync(changed);

        ShouldMatch(await store.GetAsync(read.Reference), changed);
    }

    [ConformanceTheory]
    [MemberData(nameof(BrokenInvariants), MemberType = typeof(KeyStoreConformanceTests))]
    public async Task Create_BreakingAnInvariant_IsRefusedAndNothingIsStored(string invariant)
    {
        var store = await NewStoreAsync();

        var act = async () => await store.CreateAsync(Break(NewKey("openai/prod"), invariant));

        await act.Should().ThrowAsync<IronCageException>();
        (await store.FindAsync(Ref("openai/prod"))).Should().BeNull();
    }

    [ConformanceTheory]
    [MemberData(nameof(BrokenInvariants), MemberType = typeof(KeyStoreConformanceTests))]
    public async Task Update_BreakingAnInvariant_IsRefusedAndTheKeyIsUnchanged(string invariant)
    {
        var store = await NewStoreAsync();
        var read = await store.CreateAsync(NewKey("openai/prod"));

        var act = async () => await store.UpdateAsync(Break(read, invariant));

        await act.Should().ThrowAsync<IronCageException>();
        var stored = await store.GetAsync(read.Reference);
        stored.ConcurrencyToken.Should().Be(read.ConcurrencyToken);
        ShouldMatch(stored, read);
    }

    [ConformanceFact]
    public async Task Update_TwoCurrentVersions_IsRefusedNamingTheProblem()
    {
        var store = await NewStoreAsync();
        var read = await store.CreateAsync(NewKey("openai/prod"));

        var act = async () => await store.UpdateAsync(read.WithVersion(NewVersion("kv_2", KeyStage.Current)));

        await act.Should().ThrowAsync<IronCageException>().WithMessage("*2 Current versions*");
    }

    [ConformanceFact]
    public async Task Create_CallerChangesItsCollectionsAfterwards_StoredKeyIsUnchanged()
    {
        var store = await NewStoreAsync();
        var labels = new Dictionary<string, string> { ["environment"] = "prod" };
        var scope = new Dictionary<string, string> { ["project"] = "proj_1" };
        var metadata = new Dictionary<string, string> { ["account"] = "acct_1" };
        var versions = new List<KeyVersion> { NewVersion("kv_1", KeyStage.Current) with { Metadata = metadata } };
        var key = NewKey("openai/prod") with { Labels = labels, Scope = scope, Versions = versions };

        await store.CreateAsync(key);
        MutateCallerCollections(labels, scope, metadata, versions);

        ShouldHoldOriginalCollections(await store.GetAsync(key.Reference));
    }

    [ConformanceFact]
    public async Task Update_CallerChangesItsCollectionsAfterwards_StoredKeyIsUnchanged()
    {
        var store = await NewStoreAsync();
        var read = await store.CreateAsync(NewKey("openai/prod"));
        var labels = new Dictionary<string, string> { ["environment"] = "prod" };
        var scope = new Dictionary<string, string> { ["project"] = "proj_1" };
        var metadata = new Dictionary<string, string> { ["account"] = "acct_1" };
        var versions = new List<KeyVersion> { NewVersion("kv_1", KeyStage.Current) with { Metadata = metadata } };

        await store.UpdateAsync(read with { Labels = labels, Scope = scope, Versions = versions });
        MutateCallerCollections(labels, scope, metadata, versions);

        ShouldHoldOriginalCollections(await store.GetAsync(read.Reference));
    }

    [ConformanceFact]
    public async Task List_OrdersByReferenceOrdinally()
    {
        var store = await NewStoreAsync();
        // Ordinal order of the text 'provider/name': upper case before lower case, '-' < '.' < digits < '_',
        // and 'google-gemini/…' before 'google/…' because '-' sorts before '/'.
        string[] expected =
        [
            "anthropic/m",
            "google-gemini/a",
            "google/a",
            "groq/z",
            "openai/B",
            "openai/a-b",
            "openai/a.b",
            "openai/a0",
            "openai/a_b",
            "openai/b",
        ];
        foreach (var reference in new[] { "openai/b", "groq/z", "openai/a_b", "google/a", "openai/B", "anthropic/m", "openai/a0", "google-gemini/a", "openai/a.b", "openai/a-b" })
        {
            await store.CreateAsync(NewKey(reference));
        }

        (await ListAsync(store)).Select(k => k.Reference.ToString()).Should().Equal(expected);
    }

    [ConformanceFact]
    public async Task List_WithProvider_ReturnsOnlyThatProvidersKeysInOrder()
    {
        var store = await NewStoreAsync();
        foreach (var reference in new[] { "openai/z", "groq/a", "openai/a", "anthropic/m", "openai/m" })
        {
            await store.CreateAsync(NewKey(reference));
        }

        (await ListAsync(store, ProviderId.OpenAI)).Select(k => k.Reference.ToString()).Should().Equal("openai/a", "openai/m", "openai/z");
        (await ListAsync(store, ProviderId.Groq)).Select(k => k.Reference.ToString()).Should().Equal("groq/a");
        (await ListAsync(store, ProviderId.Mistral)).Should().BeEmpty();
    }

    [ConformanceFact]
    public async Task List_ReturnsTheStoredKeysWithTheirTokens()
    {
        var store = await NewStoreAsync();
        var a = await store.CreateAsync(NewKey("openai/a"));
        var b = await store.UpdateAsync(await store.CreateAsync(NewKey("openai/b")) with { Description = "changed" });

        var listed = await ListAsync(store);

        listed.Select(k => k.ConcurrencyToken).Should().Equal(a.ConcurrencyToken, b.ConcurrencyToken);
        ShouldMatch(listed[1], b);
    }

    [ConformanceFact]
    public async Task List_EmptyStore_ReturnsNothing()
    {
        var store = await NewStoreAsync();

        (await ListAsync(store)).Should().BeEmpty();
    }

    [ConformanceFact]
    public async Task Update_Concurrently_ExactlyOneWriterWins()
    {
        var store = await NewStoreAsync();
        var read = await store.CreateAsync(NewKey("openai/prod"));
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writers = Enumerable.Range(0, 32).Select(i => Task.Run<(ManagedKey? Winner, ConcurrencyConflictException? Conflict)>(async () =>
        {
            await start.Task;
            try
            {
                return (await store.UpdateAsync(read with { Description = "writer " + i }), null);
            }
            catch (ConcurrencyConflictException conflict)
            {
                return (null, conflict);
            }
        })).ToList();

        start.SetResult();
        var outcomes = await Task.WhenAll(writers);

        var winner = outcomes.Select(o => o.Winner).OfType<ManagedKey>().Should().ContainSingle().Subject;
        winner.ConcurrencyToken.Should().BeGreaterThan(read.ConcurrencyToken);
        outcomes.Select(o => o.Conflict).OfType<ConcurrencyConflictException>().Should().HaveCount(31)
            .And.OnlyContain(c => c.ExpectedToken == read.ConcurrencyToken && c.ActualToken == winner.ConcurrencyToken);
        var stored = await store.GetAsync(read.Reference);
        stored.Description.Should().Be(winner.Description);
        stored.ConcurrencyToken.Should().Be(winner.ConcurrencyToken);
    }

    [ConformanceFact]
    public async Task Create_Concurrently_ExactlyOneCreatorWins()
    {
        var store = await NewStoreAsync();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var creators = Enumerable.Range(0, 16).Select(i => Task.Run<ManagedKey?>(async () =>
        {
            await start.Task;
            try
            {
                return await store.CreateAsync(NewKey("openai/prod") with { Description = "creator " + i });
            }
            catch (ManagedKeyAlreadyExistsException)
            {
                return null;
            }
        })).ToList();

        start.SetResult();
        var outcomes = await Task.WhenAll(creators);

        var winner = outcomes.OfType<ManagedKey>().Should().ContainSingle().Subject;
        var stored = await store.GetAsync(Ref("openai/prod"));
        stored.Description.Should().Be(winner.Description);
        stored.ConcurrencyToken.Should().Be(winner.ConcurrencyToken);
    }

    [ConformanceTheory]
    [InlineData("find")]
    [InlineData("get")]
    [InlineData("list")]
    [InlineData("create")]
    [InlineData("update")]
    [InlineData("delete")]
    public async Task Operation_CancelledToken_ThrowsOperationCanceledAndChangesNothing(string operation)
    {
        var store = await NewStoreAsync();
        var existing = await store.CreateAsync(NewKey("openai/prod"));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        Func<Task> act = operation switch
        {
            "find" => async () => await store.FindAsync(existing.Reference, cts.Token),
            "get" => async () => await store.GetAsync(existing.Reference, cts.Token),
            "list" => async () => await ListAsync(store, null, cts.Token),
            "create" => async () => await store.CreateAsync(NewKey("openai/other"), cts.Token),
            "update" => async () => await store.UpdateAsync(existing with { Description = "cancelled" }, cts.Token),
            "delete" => async () => await store.DeleteAsync(existing.Reference, existing.ConcurrencyToken, cts.Token),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "Unknown operation."),
        };

        await act.Should().ThrowAsync<OperationCanceledException>();
        (await store.FindAsync(Ref("openai/other"))).Should().BeNull();
        var after = await store.GetAsync(existing.Reference);
        after.ConcurrencyToken.Should().Be(existing.ConcurrencyToken);
        after.Description.Should().BeNull();
    }

    [ConformanceFact]
    public async Task Volume_ManyKeys_AreAllStoredListedInOrderAndFound()
    {
        var store = await NewStoreAsync();
        var count = VolumeKeyCount;
        var secret = NewSecret();
        var references = new List<KeyReference>(count);
        // Created in a shuffled order, so the list's order is the store's doing.
        var order = Enumerable.Range(0, count).ToArray();
        new Random(20261122).Shuffle(order);
        foreach (var n in order)
        {
            var reference = new KeyReference(n % 2 == 0 ? ProviderId.OpenAI : ProviderId.Anthropic, "key-" + n.ToString("D6", CultureInfo.InvariantCulture));
            references.Add(reference);
            await store.CreateAsync(new ManagedKey
            {
                Reference = reference,
                CreatedAt = T0,
                Versions = [NewVersion("kv_" + n, KeyStage.Current) with { Secret = secret }],
            });
        }

        var all = await ListAsync(store);
        var openai = await ListAsync(store, ProviderId.OpenAI);

        all.Should().HaveCount(count);
        all.Select(k => k.Reference.ToString()).Should().Equal(references.Select(r => r.ToString()).Order(StringComparer.Ordinal));
        openai.Should().HaveCount(references.Count(r => r.Provider == ProviderId.OpenAI)).And.OnlyContain(k => k.Provider == ProviderId.OpenAI);
        foreach (var reference in new[] { references[0], references[count / 2], references[^1] })
        {
            var stored = await store.GetAsync(reference);
            stored.Reference.Should().Be(reference);
            stored.CurrentVersion!.VersionId.Should().Be("kv_" + int.Parse(reference.Name[4..], CultureInfo.InvariantCulture));
        }
    }

    /// <summary>The invariants <see cref="ManagedKey.Validate"/> checks, which a store enforces on every write.</summary>
    public static TheoryData<string> BrokenInvariants => new()
    {
        "two current versions",
        "two pending versions",
        "repeated version id",
        "empty version id",
        "grace period out of range",
        "alert threshold out of range",
        "duplicate limit",
    };

    /// <summary>Creates the store under test: empty, and a new one on every call.</summary>
    /// <returns>The store.</returns>
    protected abstract IKeyStore CreateStore();

    /// <summary>Prepares a store returned by <see cref="CreateStore"/> (for example applies a schema) before a test uses it.</summary>
    /// <param name="store">The store.</param>
    /// <returns>A task that completes when the store is ready.</returns>
    protected virtual Task InitializeStoreAsync(IKeyStore store) => Task.CompletedTask;

    /// <summary>A key with one Current version.</summary>
    /// <param name="reference">The reference, <c>provider/name</c>.</param>
    /// <returns>The key (not stored).</returns>
    protected static ManagedKey NewKey(string reference) => new()
    {
        Reference = Ref(reference),
        CreatedAt = T0,
        Versions = [NewVersion("kv_1", KeyStage.Current)],
    };

    /// <summary>A version with only its required fields set, and a random sealed secret.</summary>
    /// <param name="versionId">The version id.</param>
    /// <param name="stage">The stage.</param>
    /// <returns>The version.</returns>
    protected static KeyVersion NewVersion(string versionId, KeyStage stage) => new()
    {
        VersionId = versionId,
        Stage = stage,
        CreatedAt = T0,
        DisplayHint = "sk-…" + versionId[^1..],
        Fingerprint = "fp1.conformance." + versionId,
        Secret = NewSecret(),
    };

    private static KeyReference Ref(string reference) => KeyReference.Parse(reference);

    private static EncryptedSecret NewSecret(string keyEncryptionKeyId = "local-0011223344556677") => new()
    {
        KeyEncryptionKeyId = keyEncryptionKeyId,
        WrappedDataKey = RandomNumberGenerator.GetBytes(60),
        Nonce = RandomNumberGenerator.GetBytes(12),
        Ciphertext = RandomNumberGenerator.GetBytes(51),
    };

    private static KeyVersion FullVersion(string versionId, KeyStage stage, int index, string slot)
    {
        var created = T0 + Duration.FromDays(30 * index) + Duration.FromTicks(10 * (index + 1));
        return new KeyVersion
        {
            VersionId = versionId,
            ProviderKeyId = "key_" + versionId + "_provider",
            Stage = stage,
            CreatedAt = created,
            ActivatedAt = created + Duration.FromMinutes(5),
            ExpiresAt = created + Duration.FromDays(365),
            RevokedAt = stage == KeyStage.Revoked ? created + Duration.FromDays(31) : null,
            LastUsedAt = created + Duration.FromDays(1) + Duration.FromTicks(70),
            DisplayHint = "sk-…" + versionId[3..7],
            Fingerprint = "fp1.kek-a." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            Secret = NewSecret("kek-" + index) with { FormatVersion = EncryptedSecret.CurrentFormatVersion },
            Slot = slot,
            RevocationFailedAt = stage == KeyStage.Revoked ? created + Duration.FromDays(31) + Duration.FromTicks(3) : null,
            ExpiryWarnedAt = created + Duration.FromDays(300) + Duration.FromTicks(5),
            Metadata = new Dictionary<string, string> { ["service_account_id"] = "sa_" + index, ["note"] = "é ✓ " + stage },
        };
    }

    private static ManagedKey Break(ManagedKey key, string invariant) => invariant switch
    {
        "two current versions" => key with { Versions = [NewVersion("kv_a", KeyStage.Current), NewVersion("kv_b", KeyStage.Current)] },
        "two pending versions" => key with { Versions = [NewVersion("kv_a", KeyStage.Pending), NewVersion("kv_b", KeyStage.Pending)] },
        "repeated version id" => key with { Versions = [NewVersion("kv_a", KeyStage.Current), NewVersion("kv_a", KeyStage.Previous)] },
        "empty version id" => key with { Versions = [NewVersion("kv_a", KeyStage.Current) with { VersionId = " " }] },
        "grace period out of range" => key with { Policy = new RotationPolicy { GracePeriod = Duration.FromDays(31) } },
        "alert threshold out of range" => key with { Limits = new UsageLimits { AlertThresholds = [0m] } },
        "duplicate limit" => key with
        {
            Limits = new UsageLimits { Limits = [new UsageLimit(UsageMetric.Requests, UsageWindow.Day, 10), new UsageLimit(UsageMetric.Requests, UsageWindow.Day, 20)] },
        },
        _ => throw new ArgumentOutOfRangeException(nameof(invariant), invariant, "Unknown invariant."),
    };

    private static void MutateCallerCollections(Dictionary<string, string> labels, Dictionary<string, string> scope, Dictionary<string, string> metadata, List<KeyVersion> versions)
    {
        labels["environment"] = "staging";
        labels["added"] = "later";
        scope.Clear();
        metadata["account"] = "acct_2";
        versions[0] = versions[0] with { Stage = KeyStage.Revoked };
        versions.Add(NewVersion("kv_2", KeyStage.Pending));
    }

    private static void ShouldHoldOriginalCollections(ManagedKey stored)
    {
        stored.Labels.Should().BeEquivalentTo(new Dictionary<string, string> { ["environment"] = "prod" });
        stored.Scope.Should().BeEquivalentTo(new Dictionary<string, string> { ["project"] = "proj_1" });
        var version = stored.Versions.Should().ContainSingle().Subject;
        version.Stage.Should().Be(KeyStage.Current);
        version.Metadata.Should().BeEquivalentTo(new Dictionary<string, string> { ["account"] = "acct_1" });
    }

    private static async Task<List<ManagedKey>> ListAsync(IKeyStore store, ProviderId? provider = null, CancellationToken cancellationToken = default)
    {
        var keys = new List<ManagedKey>();
        await foreach (var key in store.ListAsync(provider, cancellationToken))
        {
            keys.Add(key);
        }

        return keys;
    }

    private static void ShouldMatch(ManagedKey actual, ManagedKey expected)
    {
        actual.Reference.Should().Be(expected.Reference);
        actual.Kind.Should().Be(expected.Kind);
        actual.Description.Should().Be(expected.Description);
        actual.Labels.Should().BeEquivalentTo(expected.Labels, "the labels of {0}", expected.Reference);
        actual.Scope.Should().BeEquivalentTo(expected.Scope, "the scope of {0}", expected.Reference);
        actual.CreatedAt.Should().Be(expected.CreatedAt);

        actual.Policy.Schedule.Should().Be(expected.Policy.Schedule);
        actual.Policy.Schedule?.Text.Should().Be(expected.Policy.Schedule?.Text);
        actual.Policy.GracePeriod.Should().Be(expected.Policy.GracePeriod);
        actual.Policy.ExpiryWarningLead.Should().Be(expected.Policy.ExpiryWarningLead);
        actual.Policy.KeyLifetime.Should().Be(expected.Policy.KeyLifetime);
        actual.Policy.RenewBeforeExpiry.Should().Be(expected.Policy.RenewBeforeExpiry);
        actual.Policy.Jitter.Should().Be(expected.Policy.Jitter);
        if (expected.Policy.Window is { } window)
        {
            actual.Policy.Window.Should().NotBeNull();
            actual.Policy.Window!.Days.Should().BeEquivalentTo(window.Days);
            actual.Policy.Window.Start.Should().Be(window.Start);
            actual.Policy.Window.Length.Should().Be(window.Length);
            actual.Policy.Window.Zone.Id.Should().Be(window.Zone.Id);
        }
        else
        {
            actual.Policy.Window.Should().BeNull();
        }

        actual.Limits.Limits.Should().Equal(expected.Limits.Limits);
        actual.Limits.AlertThresholds.Should().Equal(expected.Limits.AlertThresholds);

        actual.Versions.Select(v => v.VersionId).Should().Equal(expected.Versions.Select(v => v.VersionId), "versions keep their order, oldest first");
        for (var i = 0; i < expected.Versions.Count; i++)
        {
            ShouldMatch(actual.Versions[i], expected.Versions[i]);
        }
    }

    private static void ShouldMatch(KeyVersion actual, KeyVersion expected)
    {
        var id = expected.VersionId;
        actual.VersionId.Should().Be(id);
        actual.ProviderKeyId.Should().Be(expected.ProviderKeyId, "version {0}", id);
        actual.Stage.Should().Be(expected.Stage, "version {0}", id);
        actual.CreatedAt.Should().Be(expected.CreatedAt, "version {0}", id);
        actual.ActivatedAt.Should().Be(expected.ActivatedAt, "version {0}", id);
        actual.ExpiresAt.Should().Be(expected.ExpiresAt, "version {0}", id);
        actual.RevokedAt.Should().Be(expected.RevokedAt, "version {0}", id);
        actual.LastUsedAt.Should().Be(expected.LastUsedAt, "version {0}", id);
        actual.DisplayHint.Should().Be(expected.DisplayHint, "version {0}", id);
        actual.Fingerprint.Should().Be(expected.Fingerprint, "version {0}", id);
        actual.Metadata.Should().BeEquivalentTo(expected.Metadata, "the metadata of version {0}", id);
        actual.Secret.FormatVersion.Should().Be(expected.Secret.FormatVersion, "version {0}", id);
        actual.Secret.KeyEncryptionKeyId.Should().Be(expected.Secret.KeyEncryptionKeyId, "version {0}", id);
        actual.Secret.WrappedDataKey.ToArray().Should().Equal(expected.Secret.WrappedDataKey.ToArray(), "the wrapped data key of version {0}", id);
        actual.Secret.Nonce.ToArray().Should().Equal(expected.Secret.Nonce.ToArray(), "the nonce of version {0}", id);
        actual.Secret.Ciphertext.ToArray().Should().Equal(expected.Secret.Ciphertext.ToArray(), "the ciphertext of version {0}", id);
    }

    private async Task<IKeyStore> NewStoreAsync()
    {
        var store = CreateStore();
        store.Should().NotBeNull($"{GetType().Name}.{nameof(CreateStore)} must return a store");
        _stores.Add(store);
        await InitializeStoreAsync(store);
        return store;
    }
}
