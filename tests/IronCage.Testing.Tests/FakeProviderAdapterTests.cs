using IronCage.Providers;
using NodaTime;
using NodaTime.Testing;

namespace IronCage.Testing.Tests;

public sealed class FakeProviderAdapterTests
{
    private static readonly Instant Start = Instant.FromUtc(2026, 5, 4, 9, 30);

    private readonly FakeClock _clock = new(Start);

    public static TheoryData<string> ProvidersThatCreate => new()
    {
        "openai",
        "google-gemini",
        "openrouter",
        "xai",
        "fireworks",
        "mistral",
        "perplexity",
        "aws-bedrock",
    };

    [Fact]
    public void For_OpenAI_HasCatalogCapabilitiesAndNoSlots()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);

        adapter.Provider.Should().Be(ProviderId.OpenAI);
        adapter.Capabilities.Should().Be(ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.OpenAI).Capabilities);
        adapter.Capabilities.Should().HaveFlag(ProviderCapabilities.Create).And.NotHaveFlag(ProviderCapabilities.Regenerate);
        adapter.Keys.Should().BeEmpty();
        adapter.Calls.Should().BeEmpty();
    }

    [Fact]
    public async Task GenerateKeyAsync_ShortTermBedrock_IsAcceptedUntilItsOwnExpiry_AndNothingRevokesIt()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.AwsBedrockShortTerm, _clock);
        var context = new ProviderKeyContext { Key = new KeyReference(ProviderId.AwsBedrockShortTerm, "prod") };

        using var full = await adapter.GenerateKeyAsync(new GenerateProviderKeyRequest { Context = context });
        using var shorter = await adapter.GenerateKeyAsync(new GenerateProviderKeyRequest { Context = context, Lifetime = Duration.FromHours(2) });

        full.ExpiresAt.Should().Be(Start + Duration.FromHours(12));
        shorter.ExpiresAt.Should().Be(Start + Duration.FromHours(2));
        full.Secret.Reveal().Should().StartWith("bedrock-api-key-");
        (await adapter.VerifyAsync(context, shorter.Secret)).IsValid.Should().BeTrue();
        _clock.Advance(Duration.FromHours(2));
        (await adapter.VerifyAsync(context, shorter.Secret)).IsValid.Should().BeFalse("it expired by the fake's clock");
        adapter.IsAccepted(full.Secret).Should().BeTrue();
        adapter.LiveKeyIds.Should().Equal(full.ProviderKeyId);
        await adapter.Invoking(a => a.DeleteKeyAsync(context, full.ProviderKeyId)).Should().ThrowAsync<NotSupportedByProviderException>();
        adapter.CallsTo(FakeProviderOperation.Generate).Should().HaveCount(2).And.OnlyContain(c => c.Outcome == FakeCallOutcome.Succeeded);
    }

    [Fact]
    public async Task GenerateKeyAsync_ProviderThatDoesNotGenerate_IsNotSupported()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);

        await adapter.Invoking(a => a.GenerateKeyAsync(new GenerateProviderKeyRequest { Context = new ProviderKeyContext { Key = new KeyReference(ProviderId.OpenAI, "prod") } })).Should().ThrowAsync<NotSupportedByProviderException>();
    }

    [Fact]
    public void For_AzureOpenAI_StartsWithActiveSlotsKey1AndKey2()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.AzureOpenAI, _clock);

        adapter.Capabilities.Should().Be(ProviderCatalog.BuiltIn.GetDescriptor(ProviderId.AzureOpenAI).Capabilities);
        adapter.Keys.Select(k => k.ProviderKeyId).Should().Equal("Key1", "Key2");
        adapter.Keys.Should().OnlyContain(k => k.Status == ProviderKeyStatus.Active && k.CreatedAt == Start);
        adapter.LiveKeyIds.Should().Equal("Key1", "Key2");
    }

    [Fact]
    public void For_AwsBedrock_RegeneratesButStartsWithoutSlots()
    {
        // Bedrock can regenerate a credential by id but has no fixed slots in the catalog.
        var adapter = FakeProviderAdapter.For(ProviderId.AwsBedrock, _clock);

        adapter.Capabilities.Should().HaveFlag(ProviderCapabilities.Regenerate);
        adapter.Keys.Should().BeEmpty();
    }

    [Fact]
    public async Task RegenerateSlotAsync_AwsBedrockCreatedKey_ReplacesItsValue()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.AwsBedrock, _clock);
        using var created = await adapter.CreateKeyAsync(Request(ProviderId.AwsBedrock, "a"));

        using var regenerated = await adapter.RegenerateSlotAsync(Context(ProviderId.AwsBedrock), created.ProviderKeyId);

        adapter.IsAccepted(created.Secret).Should().BeFalse();
        adapter.IsAccepted(regenerated.Secret).Should().BeTrue();
        adapter.LiveKeyIds.Should().Equal(created.ProviderKeyId);
    }

    [Fact]
    public void For_ProviderNotInCatalog_ThrowsUnknownProvider()
    {
        var act = () => FakeProviderAdapter.For(new ProviderId("acme-llm"), _clock);

        act.Should().Throw<UnknownProviderException>();
    }

    [Fact]
    public void Constructor_EmptyProvider_Throws()
    {
        var act = () => new FakeProviderAdapter(default, ProviderCapabilities.Create, _clock);

        act.Should().Throw<ArgumentException>().WithParameterName("provider");
    }

    [Fact]
    public void Constructor_CustomSlots_CreatesThoseSlots()
    {
        var adapter = new FakeProviderAdapter(ProviderId.AzureOpenAI, ProviderCapabilities.Regenerate | ProviderCapabilities.Verify, _clock, ["primary", "secondary", "tertiary"]);

        adapter.LiveKeyIds.Should().Equal("primary", "secondary", "tertiary");
    }

    [Fact]
    public void Constructor_WithoutRegenerate_CreatesNoSlots()
    {
        var adapter = new FakeProviderAdapter(ProviderId.AzureOpenAI, ProviderCapabilities.Verify, _clock, ["Key1", "Key2"]);

        adapter.Keys.Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(ProvidersThatCreate))]
    public async Task CreateKeyAsync_SupportedProvider_ReturnsKeyInProviderFormatThatFakeAccepts(string providerId)
    {
        var provider = new ProviderId(providerId);
        var adapter = FakeProviderAdapter.For(provider, _clock);

        using var created = await adapter.CreateKeyAsync(Request(provider, "ironcage-prod-1"));

        var format = KeyFormatValidator.BuiltIn.Check(provider, created.Secret);
        format.IsValid.Should().BeTrue(format.Message);
        adapter.IsAccepted(created.Secret).Should().BeTrue();
        adapter.FindKeyId(created.Secret).Should().Be(created.ProviderKeyId);
        adapter.LiveKeyIds.Should().Equal(created.ProviderKeyId);
        var verification = await adapter.VerifyAsync(Context(provider), created.Secret);
        verification.IsValid.Should().BeTrue();
        verification.StatusCode.Should().Be(200);
        verification.Provider.Should().Be(provider);
    }

    [Fact]
    public async Task CreateKeyAsync_WithNameAndExpiry_KeyCarriesThem()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenRouter, _clock);
        var expiresAt = Start + Duration.FromDays(90);

        using var created = await adapter.CreateKeyAsync(Request(ProviderId.OpenRouter, "ironcage-batch-7") with { ExpiresAt = expiresAt });

        created.Name.Should().Be("ironcage-batch-7");
        created.ExpiresAt.Should().Be(expiresAt);
        adapter.Keys.Should().ContainSingle().Which.Should().Be(
            new FakeProviderKey(created.ProviderKeyId, "ironcage-batch-7", ProviderKeyStatus.Active, created.Secret.DisplayHint, Start, expiresAt));
        var info = await adapter.GetKeyAsync(Context(ProviderId.OpenRouter), created.ProviderKeyId);
        info.Should().NotBeNull();
        info!.ProviderKeyId.Should().Be(created.ProviderKeyId);
        info.Name.Should().Be("ironcage-batch-7");
        info.Status.Should().Be(ProviderKeyStatus.Active);
        info.CreatedAt.Should().Be(Start);
        info.ExpiresAt.Should().Be(expiresAt);
        var value = created.Secret.Reveal();
        info.DisplayHint.Should().Be(value[.."sk-or-v1-".Length] + value["sk-or-v1-".Length..][..3] + "..." + value[^4..], "the listing shows the prefix, three characters past it and the last four, as providers do");
    }

    [Fact]
    public async Task ListKeysAsync_KeysWithAFixedSuffix_HintsTellThemApart()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.Anthropic);
        var hints = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 200; i++)
        {
            using var secret = FakeKeys.Generate(ProviderId.Anthropic);
            secret.Reveal().Should().EndWith("AA");
            adapter.AddExistingKey(secret);
        }

        await foreach (var info in adapter.ListKeysAsync(Context(ProviderId.Anthropic)))
        {
            info.DisplayHint.Should().StartWith("sk-ant-api03-").And.EndWith("AA").And.Contain("...");
            hints.Add(info.DisplayHint!);
        }

        hints.Should().HaveCount(200, "a supplied key is found among the listed keys by its hint, so two keys must not share one");
    }

    [Fact]
    public async Task CreateKeyAsync_TwoKeys_GetDifferentIdsAndSecrets()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);

        using var first = await adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"));
        using var second = await adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "b"));

        second.ProviderKeyId.Should().NotBe(first.ProviderKeyId);
        second.Secret.Equals(first.Secret).Should().BeFalse();
        adapter.FindKeyId(first.Secret).Should().Be(first.ProviderKeyId);
        adapter.FindKeyId(second.Secret).Should().Be(second.ProviderKeyId);
    }

    [Fact]
    public async Task CreateKeyAsync_CallerDisposesResult_FakeStillAcceptsKey()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        var created = await adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"));
        using var copy = SecretValue.FromString(created.Secret.Reveal());

        created.Dispose();

        adapter.IsAccepted(copy).Should().BeTrue();
    }

    [Fact]
    public async Task VerifyAsync_UnknownKey_ReturnsInvalidKey()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        using var stranger = FakeKeys.Generate(ProviderId.OpenAI);

        var result = await adapter.VerifyAsync(Context(ProviderId.OpenAI), stranger);

        result.IsValid.Should().BeFalse();
        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        result.StatusCode.Should().Be(401);
        adapter.CallsTo(FakeProviderOperation.Verify).Should().ContainSingle()
            .Which.Should().Be(new FakeProviderCall(FakeProviderOperation.Verify, Ref(ProviderId.OpenAI), null, Start, FakeCallOutcome.Succeeded));
    }

    [Fact]
    public async Task DeleteKeyAsync_ExistingKey_VerificationFailsWithInvalidKey()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        using var created = await adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"));

        await adapter.DeleteKeyAsync(Context(ProviderId.OpenAI), created.ProviderKeyId);

        adapter.IsAccepted(created.Secret).Should().BeFalse();
        adapter.LiveKeyIds.Should().BeEmpty();
        adapter.Keys.Should().ContainSingle().Which.Status.Should().Be(ProviderKeyStatus.Deleted);
        var result = await adapter.VerifyAsync(Context(ProviderId.OpenAI), created.Secret);
        result.IsValid.Should().BeFalse();
        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        result.StatusCode.Should().Be(401);
    }

    [Fact]
    public async Task DeleteKeyAsync_CalledTwiceAndForUnknownId_Succeeds()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        using var created = await adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"));

        await adapter.DeleteKeyAsync(Context(ProviderId.OpenAI), created.ProviderKeyId);
        await adapter.DeleteKeyAsync(Context(ProviderId.OpenAI), created.ProviderKeyId);
        await adapter.DeleteKeyAsync(Context(ProviderId.OpenAI), "fk_9999");

        adapter.Keys.Should().ContainSingle().Which.Status.Should().Be(ProviderKeyStatus.Deleted);
        adapter.CallsTo(FakeProviderOperation.Delete).Select(c => c.Outcome).Should().Equal(FakeCallOutcome.Succeeded, FakeCallOutcome.Succeeded, FakeCallOutcome.Succeeded);
    }

    [Fact]
    public async Task DeleteKeyAsync_OneOfTwoKeys_OtherStillAccepted()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        using var doomed = await adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"));
        using var survivor = await adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "b"));

        await adapter.DeleteKeyAsync(Context(ProviderId.OpenAI), doomed.ProviderKeyId);

        adapter.IsAccepted(survivor.Secret).Should().BeTrue();
        adapter.LiveKeyIds.Should().Equal(survivor.ProviderKeyId);
    }

    [Fact]
    public async Task DeactivateKeyAsync_ActiveKey_BecomesInactiveAndNotAccepted()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenRouter, _clock);
        using var created = await adapter.CreateKeyAsync(Request(ProviderId.OpenRouter, "a"));

        await adapter.DeactivateKeyAsync(Context(ProviderId.OpenRouter), created.ProviderKeyId);

        adapter.IsAccepted(created.Secret).Should().BeFalse();
        adapter.LiveKeyIds.Should().BeEmpty();
        (await adapter.GetKeyAsync(Context(ProviderId.OpenRouter), created.ProviderKeyId))!.Status.Should().Be(ProviderKeyStatus.Inactive);
        (await adapter.VerifyAsync(Context(ProviderId.OpenRouter), created.Secret)).ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
    }

    [Fact]
    public async Task DeactivateKeyAsync_DeletedKey_StaysDeleted()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenRouter, _clock);
        using var created = await adapter.CreateKeyAsync(Request(ProviderId.OpenRouter, "a"));
        await adapter.DeleteKeyAsync(Context(ProviderId.OpenRouter), created.ProviderKeyId);

        await adapter.DeactivateKeyAsync(Context(ProviderId.OpenRouter), created.ProviderKeyId);

        adapter.Keys.Single().Status.Should().Be(ProviderKeyStatus.Deleted);
    }

    [Fact]
    public async Task DeactivateKeyAsync_UnknownId_ThrowsNotFoundAndRecordsFailed()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenRouter, _clock);

        var act = () => adapter.DeactivateKeyAsync(Context(ProviderId.OpenRouter), "fk_0042");

        var thrown = await act.Should().ThrowAsync<ProviderRequestException>();
        thrown.Which.Kind.Should().Be(ProviderErrorKind.NotFound);
        thrown.Which.StatusCode.Should().Be(404);
        thrown.Which.Provider.Should().Be(ProviderId.OpenRouter);
        adapter.Calls.Should().ContainSingle().Which.Should().Be(
            new FakeProviderCall(FakeProviderOperation.Deactivate, Ref(ProviderId.OpenRouter), "fk_0042", Start, FakeCallOutcome.Failed));
    }

    [Fact]
    public async Task UndeleteKeyAsync_DeletedKey_IsAcceptedAgain()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.GoogleGemini, _clock);
        using var created = await adapter.CreateKeyAsync(Request(ProviderId.GoogleGemini, "a"));
        await adapter.DeleteKeyAsync(Context(ProviderId.GoogleGemini), created.ProviderKeyId);

        await adapter.UndeleteKeyAsync(Context(ProviderId.GoogleGemini), created.ProviderKeyId);

        adapter.IsAccepted(created.Secret).Should().BeTrue();
        adapter.LiveKeyIds.Should().Equal(created.ProviderKeyId);
        (await adapter.VerifyAsync(Context(ProviderId.GoogleGemini), created.Secret)).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task UndeleteKeyAsync_UnknownId_ThrowsNotFound()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.GoogleGemini, _clock);

        var act = () => adapter.UndeleteKeyAsync(Context(ProviderId.GoogleGemini), "fk_0001");

        (await act.Should().ThrowAsync<ProviderRequestException>()).Which.Kind.Should().Be(ProviderErrorKind.NotFound);
        adapter.Calls.Single().Outcome.Should().Be(FakeCallOutcome.Failed);
    }

    [Fact]
    public async Task RegenerateSlotAsync_AzureSlot_OldValueRejectedNewValueAcceptedOtherSlotUnaffected()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.AzureOpenAI, _clock);
        var context = Context(ProviderId.AzureOpenAI);
        using var key2 = await adapter.RegenerateSlotAsync(context, "Key2");
        using var oldKey1 = await adapter.RegenerateSlotAsync(context, "Key1");
        var key2Before = adapter.Keys.Single(k => k.ProviderKeyId == "Key2");
        _clock.AdvanceHours(1);

        using var newKey1 = await adapter.RegenerateSlotAsync(context, "Key1");

        newKey1.ProviderKeyId.Should().Be("Key1");
        newKey1.Name.Should().Be("Key1");
        newKey1.Secret.Equals(oldKey1.Secret).Should().BeFalse();
        KeyFormatValidator.BuiltIn.Check(ProviderId.AzureOpenAI, newKey1.Secret).IsValid.Should().BeTrue();
        adapter.IsAccepted(oldKey1.Secret).Should().BeFalse();
        adapter.IsAccepted(newKey1.Secret).Should().BeTrue();
        (await adapter.VerifyAsync(context, oldKey1.Secret)).ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        (await adapter.VerifyAsync(context, newKey1.Secret)).IsValid.Should().BeTrue();
        adapter.FindKeyId(newKey1.Secret).Should().Be("Key1");
        adapter.IsAccepted(key2.Secret).Should().BeTrue();
        adapter.Keys.Single(k => k.ProviderKeyId == "Key2").Should().Be(key2Before);
        adapter.Keys.Single(k => k.ProviderKeyId == "Key1").CreatedAt.Should().Be(Start + Duration.FromHours(1));
        adapter.LiveKeyIds.Should().BeEquivalentTo("Key1", "Key2");
    }

    [Fact]
    public async Task RegenerateSlotAsync_UnknownSlot_ThrowsNotFound()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.AzureOpenAI, _clock);

        var act = () => adapter.RegenerateSlotAsync(Context(ProviderId.AzureOpenAI), "Key3");

        (await act.Should().ThrowAsync<ProviderRequestException>()).Which.Kind.Should().Be(ProviderErrorKind.NotFound);
        adapter.Calls.Single().Should().Be(new FakeProviderCall(FakeProviderOperation.Regenerate, Ref(ProviderId.AzureOpenAI), "Key3", Start, FakeCallOutcome.Failed));
    }

    [Fact]
    public async Task CreateKeyAsync_Anthropic_ThrowsNotSupportedAndRecordsIt()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.Anthropic, _clock);

        var act = () => adapter.CreateKeyAsync(Request(ProviderId.Anthropic, "a"));

        var thrown = await act.Should().ThrowAsync<NotSupportedByProviderException>();
        thrown.Which.Provider.Should().Be(ProviderId.Anthropic);
        thrown.Which.Capability.Should().Be(ProviderCapabilities.Create);
        adapter.Keys.Should().BeEmpty();
        adapter.Calls.Should().ContainSingle().Which.Should().Be(
            new FakeProviderCall(FakeProviderOperation.Create, Ref(ProviderId.Anthropic), null, Start, FakeCallOutcome.NotSupported));
    }

    [Fact]
    public async Task RegenerateSlotAsync_OpenAI_ThrowsNotSupportedAndRecordsIt()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);

        var act = () => adapter.RegenerateSlotAsync(Context(ProviderId.OpenAI), "Key1");

        (await act.Should().ThrowAsync<NotSupportedByProviderException>()).Which.Capability.Should().Be(ProviderCapabilities.Regenerate);
        adapter.Calls.Should().ContainSingle().Which.Outcome.Should().Be(FakeCallOutcome.NotSupported);
        adapter.CallsTo(FakeProviderOperation.Regenerate).Single().ProviderKeyId.Should().Be("Key1");
    }

    [Fact]
    public async Task ListKeysAsync_ProviderWithoutList_ThrowsNotSupportedWhenEnumerated()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.Perplexity, _clock);

        var act = () => ToListAsync(adapter.ListKeysAsync(Context(ProviderId.Perplexity)));

        (await act.Should().ThrowAsync<NotSupportedByProviderException>()).Which.Capability.Should().Be(ProviderCapabilities.List);
        adapter.Calls.Single().Should().Be(new FakeProviderCall(FakeProviderOperation.List, Ref(ProviderId.Perplexity), null, Start, FakeCallOutcome.NotSupported));
    }

    [Fact]
    public async Task UnsupportedOperation_ScriptedFailure_NotSupportedWinsAndScriptIsKept()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.Anthropic, _clock);
        adapter.On(FakeProviderOperation.Create).Fail(ProviderErrorKind.Transient);

        var act = () => adapter.CreateKeyAsync(Request(ProviderId.Anthropic, "a"));

        await act.Should().ThrowAsync<NotSupportedByProviderException>();
        adapter.On(FakeProviderOperation.Create).Pending.Should().Be(1);
    }

    [Fact]
    public async Task Calls_SeveralOperations_RecordOperationKeyIdClockTimeAndOutcomeInOrder()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenRouter, _clock);
        var context = Context(ProviderId.OpenRouter);
        using var created = await adapter.CreateKeyAsync(Request(ProviderId.OpenRouter, "a"));
        _clock.AdvanceMinutes(10);
        await adapter.VerifyAsync(context, created.Secret);
        _clock.AdvanceHours(24);
        await adapter.DeactivateKeyAsync(context, created.ProviderKeyId);
        _clock.AdvanceMinutes(1);
        await adapter.DeleteKeyAsync(context, created.ProviderKeyId);

        var key = Ref(ProviderId.OpenRouter);
        var id = created.ProviderKeyId;
        adapter.Calls.Should().Equal(
            new FakeProviderCall(FakeProviderOperation.Create, key, id, Start, FakeCallOutcome.Succeeded),
            new FakeProviderCall(FakeProviderOperation.Verify, key, id, Start + Duration.FromMinutes(10), FakeCallOutcome.Succeeded),
            new FakeProviderCall(FakeProviderOperation.Deactivate, key, id, Start + Duration.FromMinutes(10) + Duration.FromHours(24), FakeCallOutcome.Succeeded),
            new FakeProviderCall(FakeProviderOperation.Delete, key, id, Start + Duration.FromMinutes(11) + Duration.FromHours(24), FakeCallOutcome.Succeeded));
        adapter.CallsTo(FakeProviderOperation.Deactivate).Should().ContainSingle().Which.Operation.Should().Be(FakeProviderOperation.Deactivate);
        adapter.CallsTo(FakeProviderOperation.Undelete).Should().BeEmpty();
    }

    [Fact]
    public async Task Calls_DifferentManagedKeys_RecordEachReference()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        var prod = KeyReference.Parse("openai/prod");
        var batch = KeyReference.Parse("openai/batch");

        using var a = await adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = new ProviderKeyContext { Key = prod }, Name = "a" });
        using var b = await adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = new ProviderKeyContext { Key = batch }, Name = "b" });

        adapter.Calls.Select(c => c.Key).Should().Equal(prod, batch);
    }

    [Fact]
    public async Task ClearCalls_AfterCalls_ForgetsCallsButKeepsKeys()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        using var created = await adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"));

        adapter.ClearCalls();

        adapter.Calls.Should().BeEmpty();
        adapter.LiveKeyIds.Should().ContainSingle();
    }

    [Fact]
    public void AddExistingKey_ConsoleCreatedKey_FindKeyIdReturnsItsIdAndItIsAccepted()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.Anthropic, _clock);
        var text = FakeKeys.GenerateText(ProviderId.Anthropic);
        using var sameValue = SecretValue.FromString(text);
        string id;
        using (var given = SecretValue.FromString(text))
        {
            id = adapter.AddExistingKey(given, "made in the console");
        }

        adapter.FindKeyId(sameValue).Should().Be(id);
        adapter.IsAccepted(sameValue).Should().BeTrue();
        adapter.Keys.Should().ContainSingle().Which.Should().Be(
            new FakeProviderKey(id, "made in the console", ProviderKeyStatus.Active, sameValue.DisplayHint, Start, null));
        adapter.Calls.Should().BeEmpty();
    }

    [Fact]
    public void FindKeyId_UnknownSecret_ReturnsNull()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.Anthropic, _clock);
        using var existing = FakeKeys.Generate(ProviderId.Anthropic);
        adapter.AddExistingKey(existing);
        using var stranger = FakeKeys.Generate(ProviderId.Anthropic);

        adapter.FindKeyId(stranger).Should().BeNull();
        adapter.IsAccepted(stranger).Should().BeFalse();
    }

    [Fact]
    public async Task AddExistingKey_ThenDeactivate_SemiAutomaticFlowRevokesIt()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.Anthropic, _clock);
        using var old = FakeKeys.Generate(ProviderId.Anthropic);
        using var replacement = FakeKeys.Generate(ProviderId.Anthropic);
        var oldId = adapter.AddExistingKey(old, "old");
        adapter.AddExistingKey(replacement, "new");

        (await adapter.VerifyAsync(Context(ProviderId.Anthropic), replacement)).IsValid.Should().BeTrue();
        await adapter.DeactivateKeyAsync(Context(ProviderId.Anthropic), oldId);

        adapter.IsAccepted(old).Should().BeFalse();
        adapter.IsAccepted(replacement).Should().BeTrue();
    }

    [Fact]
    public async Task ListKeysAsync_MixedStates_ExcludesDeletedKeysOnly()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenRouter, _clock);
        var context = Context(ProviderId.OpenRouter);
        using var active = await adapter.CreateKeyAsync(Request(ProviderId.OpenRouter, "active"));
        using var inactive = await adapter.CreateKeyAsync(Request(ProviderId.OpenRouter, "inactive"));
        using var deleted = await adapter.CreateKeyAsync(Request(ProviderId.OpenRouter, "deleted"));
        await adapter.DeactivateKeyAsync(context, inactive.ProviderKeyId);
        await adapter.DeleteKeyAsync(context, deleted.ProviderKeyId);

        var listed = await ToListAsync(adapter.ListKeysAsync(context));

        listed.Select(k => (k.ProviderKeyId, k.Name, k.Status)).Should().BeEquivalentTo(
        [
            (active.ProviderKeyId, "active", ProviderKeyStatus.Active),
            (inactive.ProviderKeyId, "inactive", ProviderKeyStatus.Inactive),
        ]);
        adapter.Keys.Should().HaveCount(3);
        adapter.CallsTo(FakeProviderOperation.List).Should().ContainSingle().Which.Outcome.Should().Be(FakeCallOutcome.Succeeded);
    }

    [Fact]
    public async Task GetKeyAsync_UnknownId_ReturnsNull()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);

        var info = await adapter.GetKeyAsync(Context(ProviderId.OpenAI), "fk_0404");

        info.Should().BeNull();
        adapter.Calls.Single().Should().Be(new FakeProviderCall(FakeProviderOperation.Get, Ref(ProviderId.OpenAI), "fk_0404", Start, FakeCallOutcome.Succeeded));
    }

    [Fact]
    public async Task GetKeyAsync_DeletedKey_ReportsDeleted()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);
        using var created = await adapter.CreateKeyAsync(Request(ProviderId.OpenAI, "a"));
        await adapter.DeleteKeyAsync(Context(ProviderId.OpenAI), created.ProviderKeyId);

        var info = await adapter.GetKeyAsync(Context(ProviderId.OpenAI), created.ProviderKeyId);

        info!.Status.Should().Be(ProviderKeyStatus.Deleted);
    }

    [Fact]
    public async Task CreateKeyAsync_HundredInParallel_GivesHundredDistinctLiveKeys()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenAI, _clock);

        var created = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(() => adapter.CreateKeyAsync(Request(ProviderId.OpenAI, $"parallel-{i}")))));

        try
        {
            created.Select(c => c.ProviderKeyId).Should().OnlyHaveUniqueItems();
            adapter.LiveKeyIds.Should().HaveCount(100).And.BeEquivalentTo(created.Select(c => c.ProviderKeyId));
            created.Should().OnlyContain(c => adapter.FindKeyId(c.Secret) == c.ProviderKeyId);
            adapter.Calls.Should().HaveCount(100).And.OnlyContain(c => c.Operation == FakeProviderOperation.Create && c.Outcome == FakeCallOutcome.Succeeded);
        }
        finally
        {
            foreach (var key in created)
            {
                key.Dispose();
            }
        }
    }

    [Fact]
    public async Task Operations_ParallelMix_EveryCallRecorded()
    {
        var adapter = FakeProviderAdapter.For(ProviderId.OpenRouter, _clock);
        var context = Context(ProviderId.OpenRouter);

        await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            using var created = await adapter.CreateKeyAsync(Request(ProviderId.OpenRouter, $"k{i}"));
            (await adapter.VerifyAsync(context, created.Secret)).IsValid.Should().BeTrue();
            await adapter.DeleteKeyAsync(context, created.ProviderKeyId);
        })));

        adapter.Calls.Should().HaveCount(150).And.OnlyContain(c => c.Outcome == FakeCallOutcome.Succeeded);
        adapter.LiveKeyIds.Should().BeEmpty();
        adapter.Keys.Should().HaveCount(50).And.OnlyContain(k => k.Status == ProviderKeyStatus.Deleted);
    }

    internal static KeyReference Ref(ProviderId provider) => new(provider, "prod");

    internal static ProviderKeyContext Context(ProviderId provider) => new() { Key = Ref(provider) };

    internal static CreateProviderKeyRequest Request(ProviderId provider, string name) => new() { Context = Context(provider), Name = name };

    internal static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
        {
            list.Add(item);
        }

        return list;
    }
}
