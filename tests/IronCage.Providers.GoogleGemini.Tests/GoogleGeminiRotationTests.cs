using System.Text.Json.Nodes;
using IronCage.Conformance;
using IronCage.Providers.GoogleGemini;
using IronCage.Rotation;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Providers.GoogleGemini.Tests;

/// <summary>The rotation engine's create-then-delete tier (create, verify, promote, soft delete; undelete on rollback) against the scripted API Keys API and Gemini.</summary>
public sealed class GoogleGeminiRotationTests
{
    private const string Original = "gemini-prod-original";

    [Fact]
    public async Task Rotate_CreatesAKeyWithTheOriginalsRestrictions_PromotesIt_AndAfterGraceSoftDeletesTheOriginal_ThenTheNextRotationCopiesTheNewKey()
    {
        var emulator = new ApiKeysEmulator();
        var original = emulator.Seed(Original);
        using var host = emulator.Host();
        var registered = await RegisterAsync(host, original);

        var operation = await host.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);

        operation.Tier.Should().Be(RotationTier.CreateThenDelete);
        operation.Step.Should().Be(RotationStep.GracePeriod);
        var created = emulator.Find(operation.NewProviderKeyId!)!;
        created.Restrictions["serverKeyRestrictions"]!["allowedIps"]![0]!.GetValue<string>().Should().Be("203.0.113.0/24", "the new key keeps the original's restrictions");
        created.Annotations[GoogleGeminiConstants.ManagedKeyAnnotation]!.GetValue<string>().Should().Be("google-gemini/prod");
        emulator.Find(Original)!.DeleteTime.Should().BeNull("the original keeps working during grace");
        var during = await host.Keys.GetAsync(registered.Reference);
        using (var current = await host.OpenAsync(during.CurrentVersion!, registered.Reference))
        {
            current.Matches(created.KeyString).Should().BeTrue();
        }

        var completed = await host.Rotator.CompleteGraceAsync(registered.Reference);

        completed.Step.Should().Be(RotationStep.Completed);
        emulator.Find(Original)!.DeleteTime.Should().NotBeNull("the original is soft-deleted, undeletable for 30 days");
        emulator.Calls.Should().Contain($"DELETE /v2/{ApiKeysEmulator.Parent}/keys/{Original}");

        // The next rotation finds the key IronCage created (by its annotation) and copies it, not the deleted original.
        host.Clock.Advance(Duration.FromDays(30));
        var second = await host.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);
        await host.Rotator.CompleteGraceAsync(registered.Reference);

        var next = emulator.Find(second.NewProviderKeyId!)!;
        next.Restrictions.ToJsonString().Should().Be(created.Restrictions.ToJsonString());
        emulator.Find(created.KeyId)!.DeleteTime.Should().NotBeNull();
        emulator.Keys.Where(k => k.DeleteTime is null).Select(k => k.KeyId).Should().Equal(next.KeyId);
        host.ShouldNotLeak(emulator.AllKeyStrings.Append(ApiKeysEmulator.Token));
    }

    [Fact]
    public async Task Rotate_HostWithStandardResilienceDefaultsAndACreateAnswered500AfterActing_SendsItOnceAndEndsWithOneLiveKey()
    {
        var emulator = new ApiKeysEmulator();
        var original = emulator.Seed(Original);
        using var host = emulator.Host(hostServices: s => s.ConfigureHttpClientDefaults(b => b.AddStandardResilienceHandler()));
        var registered = await RegisterAsync(host, original);
        emulator.FailNextCreateAfterActing = true;

        var operation = await DriveAsync(host, await host.Rotator.RotateAsync(registered.Reference, RotationReason.Manual, new RotationRequest { GracePeriod = Duration.Zero }));

        operation.Step.Should().Be(RotationStep.Completed, operation.LastError);
        var attempted = emulator.CreateRequests[0];
        emulator.CreateRequests.Count(id => id == attempted).Should().Be(2, "the create answered 500 reached Google once (no layer resent it); the retry after the sweep asked for the same id once");
        emulator.CreateRequests.Should().HaveCount(3, "the id is held by the swept orphan (deleted keys keep their id), so the key is created under a fresh one");
        var orphan = emulator.Find(attempted!)!;
        orphan.DeleteTime.Should().NotBeNull("the engine found the key the 500 hid by the attempt's display name and deleted it");
        orphan.DisplayName.Should().Be(operation.ProviderKeyName);
        emulator.Keys.Where(k => k.DeleteTime is null).Should().ContainSingle("exactly one live key, none orphaned").Which.KeyId.Should().Be(operation.NewProviderKeyId);
        emulator.Find(operation.NewProviderKeyId!)!.DisplayName.Should().Be(operation.ProviderKeyName);
        emulator.Find(Original)!.DeleteTime.Should().NotBeNull("the zero grace period deleted the original");
        var key = await host.Keys.GetAsync(registered.Reference);
        using (var current = await host.OpenAsync(key.CurrentVersion!, registered.Reference))
        {
            current.Matches(emulator.Find(operation.NewProviderKeyId!)!.KeyString).Should().BeTrue("the live key is the one IronCage serves");
        }

        host.ShouldNotLeak(emulator.AllKeyStrings.Append(ApiKeysEmulator.Token));
    }

    [Fact]
    public async Task Rotate_NewKeyFailsVerification_RollsBackBySoftDeletingItAndKeepsTheOriginalCurrent()
    {
        var emulator = new ApiKeysEmulator();
        var original = emulator.Seed(Original);
        using var host = emulator.Host(o => o.MaxRetries = 0);
        var registered = await RegisterAsync(host, original);
        emulator.NewKeysFailVerification = true;

        var operation = await DriveAsync(host, await host.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled));

        operation.Step.Should().Be(RotationStep.Failed);
        emulator.Find(operation.NewProviderKeyId!)!.DeleteTime.Should().NotBeNull("rollback deletes the key that never worked");
        emulator.Find(Original)!.DeleteTime.Should().BeNull();
        emulator.Calls.Should().NotContain(c => c.EndsWith(":undelete", StringComparison.Ordinal), "nothing was deleted that needs restoring");
        var key = await host.Keys.GetAsync(registered.Reference);
        using var current = await host.OpenAsync(key.CurrentVersion!, registered.Reference);
        current.Matches(original.KeyString).Should().BeTrue("the original stays current when the new key fails verification");
        host.ShouldNotLeak(emulator.AllKeyStrings.Append(ApiKeysEmulator.Token));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CompromisedRevokeFirst_NewKeyFails_RollbackUndeletesTheOriginal(bool createOperationFails)
    {
        var emulator = new ApiKeysEmulator();
        var original = emulator.Seed(Original);
        using var host = emulator.Host(o => o.MaxRetries = 0);
        var registered = await RegisterAsync(host, original);
        if (createOperationFails)
        {
            // The create operation finishes with an error: google.rpc.Status code 7, PERMISSION_DENIED.
            emulator.FailNextCreate = JsonNode.Parse(File.ReadAllText("TestData/OperationError.json"))!["error"]!.AsObject();
        }
        else
        {
            emulator.NewKeysFailVerification = true;
        }

        var operation = await DriveAsync(host, await host.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised, new RotationRequest { RevokeFirst = true }));

        operation.Step.Should().Be(RotationStep.Failed);
        operation.LastError.Should().Contain("undeleted").And.Contain(Original);
        if (createOperationFails)
        {
            operation.LastError.Should().Contain("PERMISSION_DENIED");
        }

        emulator.Calls.Should().ContainInOrder($"DELETE /v2/{ApiKeysEmulator.Parent}/keys/{Original}", $"POST /v2/{ApiKeysEmulator.Parent}/keys/{Original}:undelete");
        emulator.Find(Original)!.DeleteTime.Should().BeNull("the original is back at Google");
        emulator.Keys.Where(k => k.DeleteTime is null).Select(k => k.KeyId).Should().Equal(Original);
        var key = await host.Keys.GetAsync(registered.Reference);
        var restored = key.FindVersion(registered.CurrentVersion!.VersionId)!;
        restored.Stage.Should().Be(KeyStage.Current, "the undeleted key is the managed key's only key again");
        restored.IsServable.Should().BeFalse("a compromised key stays killed locally until an operator rotates again");
        host.ShouldNotLeak(emulator.AllKeyStrings.Append(ApiKeysEmulator.Token));
    }

    [Fact]
    public async Task WholeFlow_NoSecretInAnyLogLineExceptionOrAuditRecord()
    {
        var emulator = new ApiKeysEmulator { PendingPolls = 2 };
        var original = emulator.Seed(Original);
        using var host = emulator.Host(o => o.MaxRetries = 0);
        var registered = await RegisterAsync(host, original);
        var failures = new List<Exception>();

        // A full rotation, one whose new key Gemini refuses (rolled back), and a revoke-first emergency whose create
        // operation ends with an error (rolled back by undelete).
        await host.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);
        (await host.Rotator.CompleteGraceAsync(registered.Reference)).Step.Should().Be(RotationStep.Completed);
        emulator.NewKeysFailVerification = true;
        var refused = await DriveAsync(host, await host.Rotator.RotateAsync(registered.Reference, RotationReason.Manual));
        refused.Step.Should().Be(RotationStep.Failed);
        failures.Add(new InvalidOperationException(refused.LastError));
        emulator.NewKeysFailVerification = false;
        emulator.FailNextCreate = JsonNode.Parse(File.ReadAllText("TestData/OperationError.json"))!["error"]!.AsObject();
        var emergency = await DriveAsync(host, await host.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised, new RotationRequest { RevokeFirst = true }));
        emergency.Step.Should().Be(RotationStep.Failed);
        emergency.LastError.Should().Contain("undeleted");
        failures.Add(new InvalidOperationException(emergency.LastError));

        // Straight adapter calls that fail: a create whose operation ends with an error, undelete of an unknown key, a
        // stranger's key.
        var live = emulator.Keys.First(k => k.DeleteTime is null);
        emulator.FailNextCreate = JsonNode.Parse(File.ReadAllText("TestData/OperationError.json"))!["error"]!.AsObject();
        failures.Add(await Capture(() => host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = ApiKeysEmulator.Context(), Name = "ironcage-direct" })));
        failures.Add(await Capture(() => host.Adapter.UndeleteKeyAsync(ApiKeysEmulator.Context(), "unknown-key")));
        using (var stranger = SecretValue.FromString(live.KeyString[..^1] + (live.KeyString[^1] == 'A' ? "B" : "A")))
        {
            var result = await host.Adapter.VerifyAsync(ApiKeysEmulator.Context(), stranger);
            result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
            failures.Add(new InvalidOperationException(result.Message));
        }

        var audit = new List<string>();
        await foreach (var record in host.Audit.ReadAsync())
        {
            audit.Add($"{record.Event.Target} {record.Event.Reason} {string.Join(",", record.Event.Details.Values)}");
        }

        var secrets = emulator.AllKeyStrings.Append(ApiKeysEmulator.Token).ToList();
        host.ShouldNotLeak(secrets, [.. failures]);
        audit.Should().NotBeEmpty().And.OnlyContain(line => !secrets.Any(s => line.Contains(s, StringComparison.Ordinal)));
    }

    private static async Task<Exception> Capture(Func<Task> act)
    {
        try
        {
            await act();
        }
        catch (Exception ex)
        {
            return ex;
        }

        throw new InvalidOperationException("The call was expected to fail.");
    }

    private static async Task<ManagedKey> RegisterAsync(CloudProviderTestHost host, ApiKeysEmulator.Key key)
    {
        var context = ApiKeysEmulator.Context(key.KeyId);
        using var initial = SecretValue.FromString(key.KeyString);
        return await host.Rotator.RegisterAsync(new KeyRegistration { Reference = context.Key, ProviderKeyId = key.KeyId, Scope = context.Scope }, initial);
    }

    private static async Task<RotationOperation> DriveAsync(CloudProviderTestHost host, RotationOperation operation)
    {
        for (var i = 0; i < 10 && operation.Step is not (RotationStep.Failed or RotationStep.Completed or RotationStep.GracePeriod); i++)
        {
            host.Clock.Advance(Duration.FromHours(1));
            operation = await host.Rotator.ResumeAsync(operation.OperationId);
        }

        return operation;
    }
}

/// <summary>The adapter conformance suite against the scripted API Keys API and Gemini.</summary>
public sealed class GoogleGeminiProviderAdapterConformanceTests : ProviderAdapterConformanceTests, IDisposable
{
    private readonly List<CloudProviderTestHost> _hosts = [];

    protected override ProviderKeyContext Context => ApiKeysEmulator.Context();

    public void Dispose() => _hosts.ForEach(h => h.Dispose());

    protected override IProviderAdapter CreateAdapter()
    {
        var host = new ApiKeysEmulator().Host();
        _hosts.Add(host);
        return host.Adapter;
    }
}
