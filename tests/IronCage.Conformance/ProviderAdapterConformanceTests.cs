using IronCage.Providers;
using IronCage.Testing;

namespace IronCage.Conformance;

/// <summary>
/// The contract every <see cref="IProviderAdapter"/> keeps: what it advertises in
/// <see cref="IProviderAdapter.Capabilities"/> works, and everything else throws
/// <see cref="NotSupportedByProviderException"/> naming the missing capability. Subclass it in the adapter's test
/// project, implement <see cref="CreateAdapter"/> and <see cref="Context"/>, and for a provider that cannot create
/// keys override <see cref="SeedKeyAsync"/>. A fact about a capability the adapter does not advertise passes without
/// doing anything. An <see cref="ISecretRevokingProviderAdapter"/> deletes by value: its Delete facts call
/// <see cref="ISecretRevokingProviderAdapter.RevokeKeyAsync"/>, as the rotation engine does.
/// </summary>
public abstract class ProviderAdapterConformanceTests
{
    /// <summary>Gets every capability that has an operation of its own on <see cref="IProviderAdapter"/>.</summary>
    public static TheoryData<ProviderCapabilities> Operations => new()
    {
        ProviderCapabilities.Create,
        ProviderCapabilities.List,
        ProviderCapabilities.Read,
        ProviderCapabilities.Verify,
        ProviderCapabilities.Deactivate,
        ProviderCapabilities.Delete,
        ProviderCapabilities.Undelete,
        ProviderCapabilities.Regenerate,
    };

    /// <summary>Gets the managed key and scope the adapter's calls are made for.</summary>
    protected abstract ProviderKeyContext Context { get; }

    /// <summary>
    /// Gets the slot <see cref="IProviderAdapter.RegenerateSlotAsync"/> is tested on (for Azure <c>Key1</c> or
    /// <c>Key2</c>), or <see langword="null"/> to regenerate a key obtained by create or <see cref="SeedKeyAsync"/>.
    /// </summary>
    protected virtual string? RegenerateSlot => null;

    [ConformanceTheory]
    [MemberData(nameof(Operations), MemberType = typeof(ProviderAdapterConformanceTests))]
    public async Task Operation_MatchesTheAdvertisedCapabilities(ProviderCapabilities capability)
    {
        var adapter = CreateAdapter();

        var act = () => InvokeAsync(adapter, capability);

        if (adapter.Capabilities.HasFlag(capability))
        {
            await act.Should().NotThrowAsync<NotSupportedByProviderException>($"{adapter.Provider} advertises {capability}");
            return;
        }

        var thrown = (await act.Should().ThrowAsync<NotSupportedByProviderException>($"{adapter.Provider} does not advertise {capability}")).Which;
        thrown.Capability.Should().Be(capability);
        thrown.Provider.Should().Be(adapter.Provider);
        thrown.Message.Should().Contain(capability.ToString());
    }

    [ConformanceFact]
    public async Task Create_ReturnsAKeyThatVerifiesAndIsListedAndReadable()
    {
        var adapter = CreateAdapter();
        if (!adapter.Capabilities.HasFlag(ProviderCapabilities.Create))
        {
            return;
        }

        using var created = await adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = UniqueName() });

        created.ProviderKeyId.Should().NotBeNullOrWhiteSpace();
        created.Secret.IsDisposed.Should().BeFalse();
        created.Secret.Length.Should().BePositive();
        await ShouldBeLiveAsync(adapter, created);
    }

    [ConformanceFact]
    public async Task Create_Twice_ReturnsTwoDifferentKeys()
    {
        var adapter = CreateAdapter();
        if (!adapter.Capabilities.HasFlag(ProviderCapabilities.Create))
        {
            return;
        }

        using var first = await adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = UniqueName() });
        using var second = await adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = UniqueName() });

        second.ProviderKeyId.Should().NotBe(first.ProviderKeyId);
        second.Secret.Equals(first.Secret).Should().BeFalse("every key has its own value");
        await ShouldBeLiveAsync(adapter, first);
        await ShouldBeLiveAsync(adapter, second);
    }

    [ConformanceFact]
    public async Task Verify_AnIssuedKey_IsValid()
    {
        var adapter = CreateAdapter();
        if (!adapter.Capabilities.HasFlag(ProviderCapabilities.Verify))
        {
            return;
        }

        using var key = await ObtainKeyAsync(adapter);

        var result = await adapter.VerifyAsync(Context, key.Secret);

        result.IsValid.Should().BeTrue(result.Message);
        result.Provider.Should().Be(adapter.Provider);
    }

    [ConformanceFact]
    public async Task Verify_AKeyTheProviderNeverIssued_IsInvalidKey()
    {
        var adapter = CreateAdapter();
        if (!adapter.Capabilities.HasFlag(ProviderCapabilities.Verify))
        {
            return;
        }

        using var stranger = FakeKeys.Generate(adapter.Provider, Context.Kind);

        var result = await adapter.VerifyAsync(Context, stranger);

        result.IsValid.Should().BeFalse();
        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
    }

    [ConformanceFact]
    public async Task List_IncludesAnIssuedKey()
    {
        var adapter = CreateAdapter();
        if (!adapter.Capabilities.HasFlag(ProviderCapabilities.List))
        {
            return;
        }

        using var key = await ObtainKeyAsync(adapter);

        var listed = (await ListAsync(adapter)).Where(k => k.ProviderKeyId == key.ProviderKeyId).Should().ContainSingle().Subject;
        listed.Status.Should().BeOneOf(ProviderKeyStatus.Active, ProviderKeyStatus.Unknown);
    }

    [ConformanceFact]
    public async Task Get_AnIssuedKey_DescribesIt()
    {
        var adapter = CreateAdapter();
        if (!adapter.Capabilities.HasFlag(ProviderCapabilities.Read))
        {
            return;
        }

        using var key = await ObtainKeyAsync(adapter);

        var info = await adapter.GetKeyAsync(Context, key.ProviderKeyId);

        info.Should().NotBeNull();
        info!.ProviderKeyId.Should().Be(key.ProviderKeyId);
        info.Status.Should().BeOneOf(ProviderKeyStatus.Active, ProviderKeyStatus.Unknown);
    }

    [ConformanceFact]
    public async Task Get_AnUnknownKeyId_ReturnsNull()
    {
        var adapter = CreateAdapter();
        if (!adapter.Capabilities.HasFlag(ProviderCapabilities.Read))
        {
            return;
        }

        (await adapter.GetKeyAsync(Context, "ironcage-conformance-unknown")).Should().BeNull();
    }

    [ConformanceFact]
    public async Task Delete_KeyFailsVerificationAndDeletingAgainSucceeds()
    {
        var adapter = CreateAdapter();
        if (!adapter.Capabilities.HasFlag(ProviderCapabilities.Delete))
        {
            return;
        }

        using var key = await ObtainKeyAsync(adapter);

        await DeleteAsync(adapter, key);

        await ShouldBeDeadAsync(adapter, key, ProviderKeyStatus.Deleted);
        var again = () => DeleteAsync(adapter, key);
        await again.Should().NotThrowAsync("deleting a key that is already gone succeeds");
        await ShouldBeDeadAsync(adapter, key, ProviderKeyStatus.Deleted);
    }

    [ConformanceFact]
    public async Task Deactivate_KeyFailsVerification()
    {
        var adapter = CreateAdapter();
        if (!adapter.Capabilities.HasFlag(ProviderCapabilities.Deactivate))
        {
            return;
        }

        using var key = await ObtainKeyAsync(adapter);

        await adapter.DeactivateKeyAsync(Context, key.ProviderKeyId);

        await ShouldBeDeadAsync(adapter, key, ProviderKeyStatus.Inactive);
    }

    [ConformanceFact]
    public async Task Undelete_AfterDelete_KeyVerifiesAgain()
    {
        var adapter = CreateAdapter();
        if (!adapter.Capabilities.HasFlag(ProviderCapabilities.Undelete))
        {
            return;
        }

        adapter.Capabilities.Should().HaveFlag(ProviderCapabilities.Delete, "only a deleted key can be undeleted");
        using var key = await ObtainKeyAsync(adapter);
        await DeleteAsync(adapter, key);

        await adapter.UndeleteKeyAsync(Context, key.ProviderKeyId);

        await ShouldBeLiveAsync(adapter, key);
    }

    [ConformanceFact]
    public async Task Regenerate_Slot_NewValueVerifiesAndTheOldOneNoLongerDoes()
    {
        var adapter = CreateAdapter();
        if (!adapter.Capabilities.HasFlag(ProviderCapabilities.Regenerate))
        {
            return;
        }

        using var original = RegenerateSlot is null ? await ObtainKeyAsync(adapter) : null;
        var slot = RegenerateSlot ?? original!.ProviderKeyId;

        using var first = await adapter.RegenerateSlotAsync(Context, slot);
        using var second = await adapter.RegenerateSlotAsync(Context, slot);

        first.ProviderKeyId.Should().Be(slot);
        second.ProviderKeyId.Should().Be(slot);
        second.Secret.Equals(first.Secret).Should().BeFalse("regenerating replaces the slot's value");
        if (original is not null)
        {
            first.Secret.Equals(original.Secret).Should().BeFalse("regenerating replaces the slot's value");
        }

        if (adapter.Capabilities.HasFlag(ProviderCapabilities.Verify))
        {
            var fresh = await adapter.VerifyAsync(Context, second.Secret);
            fresh.IsValid.Should().BeTrue(fresh.Message);
            (await adapter.VerifyAsync(Context, first.Secret)).IsValid.Should().BeFalse("the value it replaced no longer works");
            if (original is not null)
            {
                (await adapter.VerifyAsync(Context, original.Secret)).IsValid.Should().BeFalse("the value it replaced no longer works");
            }
        }
    }

    /// <summary>Creates the adapter under test; a new one, with a provider of its own, on every call.</summary>
    /// <returns>The adapter.</returns>
    protected abstract IProviderAdapter CreateAdapter();

    /// <summary>
    /// Puts a key in the provider by other means than <see cref="IProviderAdapter.CreateKeyAsync"/>, for an adapter
    /// that cannot create keys: the facts about verify, list, read, deactivate and delete use it.
    /// </summary>
    /// <param name="adapter">The adapter from <see cref="CreateAdapter"/> that the test uses.</param>
    /// <returns>The key's provider id and value, or <see langword="null"/> when the test class cannot seed keys.</returns>
    protected virtual Task<CreatedProviderKey?> SeedKeyAsync(IProviderAdapter adapter) => Task.FromResult<CreatedProviderKey?>(null);

    private static string UniqueName() => "ironcage-conformance-" + Guid.NewGuid().ToString("N")[..12];

    private static async Task<List<ProviderKeyInfo>> ListAsync(IProviderAdapter adapter, ProviderKeyContext context)
    {
        var keys = new List<ProviderKeyInfo>();
        await foreach (var key in adapter.ListKeysAsync(context))
        {
            keys.Add(key);
        }

        return keys;
    }

    private Task<List<ProviderKeyInfo>> ListAsync(IProviderAdapter adapter) => ListAsync(adapter, Context);

    private async Task<CreatedProviderKey> ObtainKeyAsync(IProviderAdapter adapter)
    {
        if (adapter.Capabilities.HasFlag(ProviderCapabilities.Create))
        {
            return await adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = UniqueName() });
        }

        var seeded = await SeedKeyAsync(adapter);
        seeded.Should().NotBeNull($"{adapter.Provider} cannot create keys, so {GetType().Name} must override {nameof(SeedKeyAsync)} to put one there");
        return seeded!;
    }

    // A provider that revokes by value (Perplexity) deletes through RevokeKeyAsync, as the rotation engine calls it.
    private Task DeleteAsync(IProviderAdapter adapter, CreatedProviderKey key)
        => adapter is ISecretRevokingProviderAdapter revoker
            ? revoker.RevokeKeyAsync(Context, key.ProviderKeyId, key.Secret)
            : adapter.DeleteKeyAsync(Context, key.ProviderKeyId);

    private async Task ShouldBeLiveAsync(IProviderAdapter adapter, CreatedProviderKey key)
    {
        if (adapter.Capabilities.HasFlag(ProviderCapabilities.Verify))
        {
            var result = await adapter.VerifyAsync(Context, key.Secret);
            result.IsValid.Should().BeTrue(result.Message);
        }

        if (adapter.Capabilities.HasFlag(ProviderCapabilities.List))
        {
            (await ListAsync(adapter)).Where(k => k.ProviderKeyId == key.ProviderKeyId).Should().ContainSingle()
                .Which.Status.Should().BeOneOf(ProviderKeyStatus.Active, ProviderKeyStatus.Unknown);
        }

        if (adapter.Capabilities.HasFlag(ProviderCapabilities.Read))
        {
            var info = await adapter.GetKeyAsync(Context, key.ProviderKeyId);
            info.Should().NotBeNull();
            info!.ProviderKeyId.Should().Be(key.ProviderKeyId);
            info.Status.Should().BeOneOf(ProviderKeyStatus.Active, ProviderKeyStatus.Unknown);
        }
    }

    private async Task ShouldBeDeadAsync(IProviderAdapter adapter, CreatedProviderKey key, ProviderKeyStatus status)
    {
        if (adapter.Capabilities.HasFlag(ProviderCapabilities.Verify))
        {
            (await adapter.VerifyAsync(Context, key.Secret)).IsValid.Should().BeFalse("a {0} key no longer works", status);
        }

        if (adapter.Capabilities.HasFlag(ProviderCapabilities.List))
        {
            (await ListAsync(adapter)).Where(k => k.ProviderKeyId == key.ProviderKeyId && k.Status != status).Should().BeEmpty("a {0} key is listed as such or not at all", status);
        }

        if (adapter.Capabilities.HasFlag(ProviderCapabilities.Read))
        {
            var info = await adapter.GetKeyAsync(Context, key.ProviderKeyId);
            info?.Status.Should().Be(status, "a {0} key reads as such or not at all", status);
        }
    }

    private async Task InvokeAsync(IProviderAdapter adapter, ProviderCapabilities capability)
    {
        // An advertised operation may fail for the made-up id (not found); it only must not claim to be unsupported.
        const string KeyId = "ironcage-conformance-unknown";
        switch (capability)
        {
            case ProviderCapabilities.Create:
                (await adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context, Name = UniqueName() })).Dispose();
                break;
            case ProviderCapabilities.List:
                await ListAsync(adapter);
                break;
            case ProviderCapabilities.Read:
                await adapter.GetKeyAsync(Context, KeyId);
                break;
            case ProviderCapabilities.Verify:
                using (var probe = FakeKeys.Generate(adapter.Provider, Context.Kind))
                {
                    await adapter.VerifyAsync(Context, probe);
                }

                break;
            case ProviderCapabilities.Deactivate:
                await adapter.DeactivateKeyAsync(Context, KeyId);
                break;
            case ProviderCapabilities.Delete when adapter is ISecretRevokingProviderAdapter revoker:
                using (var probe = FakeKeys.Generate(adapter.Provider, Context.Kind))
                {
                    await revoker.RevokeKeyAsync(Context, KeyId, probe);
                }

                break;
            case ProviderCapabilities.Delete:
                await adapter.DeleteKeyAsync(Context, KeyId);
                break;
            case ProviderCapabilities.Undelete:
                await adapter.UndeleteKeyAsync(Context, KeyId);
                break;
            case ProviderCapabilities.Regenerate:
                (await adapter.RegenerateSlotAsync(Context, RegenerateSlot ?? KeyId)).Dispose();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(capability), capability, "Not an operation.");
        }
    }
}
