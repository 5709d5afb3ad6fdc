using System.Text.Json.Nodes;
using IronCage.Providers.GoogleGemini;
using IronCage.Rotation;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace IronCage.Providers.GoogleGemini.Tests;

/// <summary>
/// The rotation engine's create-then-delete tier (create, verify, promote, soft delete; undelete on rollback) against
/// the public <see cref="GoogleApiKeysEmulator"/>, one key per list page so that <c>nextPageToken</c> paging is exercised.
/// </summary>
public sealed class GoogleGeminiRotationTests : IAsyncLifetime
{
    private const string Original = "gemini-prod-original";
    private readonly HostClockTimeProvider _time = new();
    private readonly List<IDisposable> _owned = [];
    private GoogleApiKeysEmulator _google = null!;

    public async Task InitializeAsync()
    {
        _google = await GoogleApiKeysEmulator.StartAsync(_time);
        _google.MaxPageSize = 1;
    }

    public async Task DisposeAsync()
    {
        _owned.ForEach(o => o.Dispose());
        await _google.DisposeAsync();
    }

    [Fact]
    public async Task Rotate_CreatesAKeyWithTheOriginalsRestrictions_PromotesIt_AndAfterGraceSoftDeletesTheOriginal_ThenTheNextRotationCopiesTheNewKey()
    {
        var host = Host();
        var original = SeedOriginal();
        var registered = await RegisterAsync(host, original);

        var operation = await host.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);

        operation.Tier.Should().Be(RotationTier.CreateThenDelete);
        operation.Step.Should().Be(RotationStep.GracePeriod);
        var created = _google.Find(operation.NewProviderKeyId!)!;
        JsonNode.Parse(created.Restrictions)!["serverKeyRestrictions"]!["allowedIps"]![0]!.GetValue<string>().Should().Be("203.0.113.0/24", "the new key keeps the original's restrictions");
        created.Annotations[GoogleGeminiConstants.ManagedKeyAnnotation].Should().Be("google-gemini/prod");
        _google.Find(Original)!.DeleteTime.Should().BeNull("the original keeps working during grace");
        var during = await host.Keys.GetAsync(registered.Reference);
        using (var current = await host.OpenAsync(during.CurrentVersion!, registered.Reference))
        {
            current.Matches(created.KeyString).Should().BeTrue();
        }

        var completed = await host.Rotator.CompleteGraceAsync(registered.Reference);

        completed.Step.Should().Be(RotationStep.Completed);
        _google.Find(Original)!.DeleteTime.Should().NotBeNull("the original is soft-deleted, undeletable for 30 days");
        _google.Requests.Should().Contain($"DELETE /v2/{_google.Parent}/keys/{Original}");

        // The next rotation finds the key IronCage created (by its annotation) and copies it, not the deleted original.
        host.Clock.Advance(Duration.FromDays(30));
        var second = await host.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);
        await host.Rotator.CompleteGraceAsync(registered.Reference);

        var next = _google.Find(second.NewProviderKeyId!)!;
        next.Restrictions.Should().Be(created.Restrictions);
        _google.Find(created.KeyId)!.DeleteTime.Should().NotBeNull();
        _google.Keys.Where(k => k.DeleteTime is null).Select(k => k.KeyId).Should().Equal(next.KeyId);
        host.ShouldNotLeak(_google.IssuedKeyStrings.Append(_google.AccessToken));
    }

    [Fact]
    public async Task Rotate_HostWithStandardResilienceDefaultsAndACreateAnswered500AfterActing_SendsItOnceAndEndsWithOneLiveKey()
    {
        var host = Host(hostServices: s => s.ConfigureHttpClientDefaults(b => b.AddStandardResilienceHandler()));
        var original = SeedOriginal();
        var registered = await RegisterAsync(host, original);
        _google.FailNextCreateAfterActing();

        var operation = await DriveAsync(host, await host.Rotator.RotateAsync(registered.Reference, RotationReason.Manual, new RotationRequest { GracePeriod = Duration.Zero }));

        operation.Step.Should().Be(RotationStep.Completed, operation.LastError);
        var attempted = _google.CreateRequests[0];
        _google.CreateRequests.Count(id => id == attempted).Should().Be(2, "the create answered 500 reached Google once (no layer resent it); the retry after the sweep asked for the same id once");
        _google.CreateRequests.Should().HaveCount(3, "the id is held by the swept orphan (deleted keys keep their id), so the key is created under a fresh one");
        var orphan = _google.Find(attempted!)!;
        orphan.DeleteTime.Should().NotBeNull("the engine found the key the 500 hid by the attempt's display name and deleted it");
        orphan.DisplayName.Should().Be(operation.ProviderKeyName);
        _google.Keys.Where(k => k.DeleteTime is null).Should().ContainSingle("exactly one live key, none orphaned").Which.KeyId.Should().Be(operation.NewProviderKeyId);
        _google.Find(operation.NewProviderKeyId!)!.DisplayName.Should().Be(operation.ProviderKeyName);
        _google.Find(Original)!.DeleteTime.Should().NotBeNull("the zero grace period deleted the original");
        var key = await host.Keys.GetAsync(registered.Reference);
        using (var current = await host.OpenAsync(key.CurrentVersion!, registered.Reference))
        {
            current.Matches(_google.Find(operation.NewProviderKeyId!)!.KeyString).Should().BeTrue("the live key is the one IronCage serves");
        }

        host.ShouldNotLeak(_google.IssuedKeyStrings.Append(_google.AccessToken));
    }

    [Fact]
    public async Task Rotate_NewKeyFailsVerification_RollsBackBySoftDeletingItAndKeepsTheOriginalCurrent()
    {
        var host = Host(o => o.MaxRetries = 0);
        var original = SeedOriginal();
        var registered = await RegisterAsync(host, original);
        _google.NewKeysRefusedByGemini = true;

        var operation = await DriveAsync(host, await host.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled));

        operation.Step.Should().Be(RotationStep.Failed);
        _google.Find(operation.NewProviderKeyId!)!.DeleteTime.Should().NotBeNull("rollback deletes the key that never worked");
        _google.Find(Original)!.DeleteTime.Should().BeNull();
        _google.Requests.Should().NotContain(c => c.EndsWith(":undelete", StringComparison.Ordinal), "nothing was deleted that needs restoring");
        var key = await host.Keys.GetAsync(registered.Reference);
        using var current = await host.OpenAsync(key.CurrentVersion!, registered.Reference);
        current.Matches(original.KeyString).Should().BeTrue("the original stays current when the new key fails verification");
        host.ShouldNotLeak(_google.IssuedKeyStrings.Append(_google.AccessToken));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CompromisedRevokeFirst_NewKeyFails_RollbackUndeletesTheOriginal(bool createOperationFails)
    {
        var host = Host(o => o.MaxRetries = 0);
        var original = SeedOriginal();
        var registered = await RegisterAsync(host, original);
        if (createOperationFails)
        {
            // The create operation finishes with an error: google.rpc.Status code 7, PERMISSION_DENIED.
            _google.FailNextCreate(JsonNode.Parse(File.ReadAllText("TestData/OperationError.json"))!["error"]!.ToJsonString());
        }
        else
        {
            _google.NewKeysRefusedByGemini = true;
        }

        var operation = await DriveAsync(host, await host.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised, new RotationRequest { RevokeFirst = true }));

        operation.Step.Should().Be(RotationStep.Failed);
        operation.LastError.Should().Contain("undeleted").And.Contain(Original);
        if (createOperationFails)
        {
            operation.LastError.Should().Contain("PERMISSION_DENIED");
        }

        _google.Requests.Should().ContainInOrder($"DELETE /v2/{_google.Parent}/keys/{Original}", $"POST /v2/{_google.Parent}/keys/{Original}:undelete");
        _google.Find(Original)!.DeleteTime.Should().BeNull("the original is back at Google");
        _google.Keys.Where(k => k.DeleteTime is null).Select(k => k.KeyId).Should().Equal(Original);
        var key = await host.Keys.GetAsync(registered.Reference);
        var restored = key.FindVersion(registered.CurrentVersion!.VersionId)!;
        restored.Stage.Should().Be(KeyStage.Current, "the undeleted key is the managed key's only key again");
        restored.IsServable.Should().BeFalse("a compromised key stays killed locally until an operator rotates again");
        host.ShouldNotLeak(_google.IssuedKeyStrings.Append(_google.AccessToken));
    }

    [Fact]
    public async Task WholeFlow_NoSecretInAnyLogLineExceptionOrAuditRecord()
    {
        _google.PendingPolls = 2;
        var host = Host(o => o.MaxRetries = 0);
        var original = SeedOriginal();
        var registered = await RegisterAsync(host, original);
        var failures = new List<Exception>();

        // A full rotation, one whose new key Gemini refuses (rolled back), and a revoke-first emergency whose create
        // operation ends with an error (rolled back by undelete).
        await host.Rotator.RotateAsync(registered.Reference, RotationReason.Scheduled);
        (await host.Rotator.CompleteGraceAsync(registered.Reference)).Step.Should().Be(RotationStep.Completed);
        _google.NewKeysRefusedByGemini = true;
        var refused = await DriveAsync(host, await host.Rotator.RotateAsync(registered.Reference, RotationReason.Manual));
        refused.Step.Should().Be(RotationStep.Failed);
        failures.Add(new InvalidOperationException(refused.LastError));
        _google.NewKeysRefusedByGemini = false;
        _google.FailNextCreate(JsonNode.Parse(File.ReadAllText("TestData/OperationError.json"))!["error"]!.ToJsonString());
        var emergency = await DriveAsync(host, await host.Rotator.RotateAsync(registered.Reference, RotationReason.Compromised, new RotationRequest { RevokeFirst = true }));
        emergency.Step.Should().Be(RotationStep.Failed);
        emergency.LastError.Should().Contain("undeleted");
        failures.Add(new InvalidOperationException(emergency.LastError));

        // Straight adapter calls that fail: a create whose operation ends with an error, undelete of an unknown key, a
        // stranger's key.
        var live = _google.Keys.First(k => k.DeleteTime is null);
        _google.FailNextCreate(JsonNode.Parse(File.ReadAllText("TestData/OperationError.json"))!["error"]!.ToJsonString());
        failures.Add(await Capture(() => host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = Context(), Name = "ironcage-direct" })));
        failures.Add(await Capture(() => host.Adapter.UndeleteKeyAsync(Context(), "unknown-key")));
        using (var stranger = SecretValue.FromString(live.KeyString[..^1] + (live.KeyString[^1] == 'A' ? "B" : "A")))
        {
            var result = await host.Adapter.VerifyAsync(Context(), stranger);
            result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
            failures.Add(new InvalidOperationException(result.Message));
        }

        var audit = new List<string>();
        await foreach (var record in host.Audit.ReadAsync())
        {
            audit.Add($"{record.Event.Target} {record.Event.Reason} {string.Join(",", record.Event.Details.Values)}");
        }

        var secrets = _google.IssuedKeyStrings.Append(_google.AccessToken).ToList();
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

    private ProviderKeyContext Context(string? templateKeyId = null, string name = "prod") => new()
    {
        Key = new KeyReference(ProviderId.GoogleGemini, name),
        Scope = templateKeyId is null
            ? new Dictionary<string, string> { [GoogleGeminiConstants.ProjectScopeKey] = _google.ProjectNumber }
            : new Dictionary<string, string> { [GoogleGeminiConstants.ProjectScopeKey] = _google.ProjectNumber, [GoogleGeminiConstants.TemplateKeyScopeKey] = templateKeyId },
    };

    // The key a person made in the console: restricted to a server IP range and Gemini.
    private GoogleApiKey SeedOriginal()
    {
        _google.Seed(Original, "Gemini prod (console)", ["203.0.113.0/24"]);
        return _google.Find(Original)!;
    }

    // A host whose API Keys and Gemini calls reach the emulator and whose clock is the emulator's.
    private CloudProviderTestHost Host(Action<GoogleGeminiProviderOptions>? configure = null, Action<IServiceCollection>? hostServices = null)
    {
        var handler = _google.CreateHttpMessageHandler();
        var host = new CloudProviderTestHost(
            b => b.AddGoogleGemini("google", o =>
            {
                o.AccessToken = _google.AccessToken;
                o.PollInterval = TimeSpan.FromMilliseconds(1);
                o.MaxPollInterval = TimeSpan.FromMilliseconds(5);
                o.RetryDelay = TimeSpan.FromMilliseconds(1);
                configure?.Invoke(o);
            }),
            GoogleGeminiConstants.HttpClientName,
            handler,
            hostServices: hostServices);
        _time.Clock = host.Clock;
        _owned.Add(host);
        _owned.Add(handler);
        return host;
    }

    private async Task<ManagedKey> RegisterAsync(CloudProviderTestHost host, GoogleApiKey key)
    {
        var context = Context(key.KeyId);
        using var initial = key.ToSecretValue();
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
