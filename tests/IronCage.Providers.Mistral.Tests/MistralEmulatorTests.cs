using System.Net;
using System.Net.Http.Headers;
using IronCage.Conformance;
using IronCage.Providers.Mistral;
using IronCage.Providers.Tests;
using IronCage.Rotation;
using IronCage.Testing;
using IronCage.Testing.Emulator;

namespace IronCage.Providers.Mistral.Tests;

/// <summary>The conformance suite for Mistral, against the emulator.</summary>
public sealed class MistralConformanceTests : EmulatorConformanceTests
{
    protected override ProviderKeyContext Context => new() { Key = new KeyReference(ProviderId.Mistral, "prod") };

    private protected override ProviderHost CreateHost() => MistralEndToEndTests.Host(Emulator);
}

/// <summary>
/// Mistral keys through the rotation engine at the emulator. The adapter can create and list but Mistral documents no
/// delete, so the catalog puts Mistral on the Manual tier: a person creates the new key, IronCage verifies it, promotes
/// it and after the grace period stops serving the old one, which stays live at Mistral until a person deletes it.
/// </summary>
public sealed class MistralEndToEndTests : IAsyncLifetime
{
    private static readonly KeyReference Reference = new(ProviderId.Mistral, "prod");
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await ProviderEmulator.StartAsync();

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    internal static ProviderHost Host(ProviderEmulator emulator)
        => new(b => b.AddMistral("mistral", o =>
        {
            o.BaseAddress = emulator.Mistral.BaseAddress;
            o.InferenceAddress = emulator.Mistral.InferenceAddress;
            o.AdminKey = emulator.Mistral.AdminKey;
            o.RetryDelay = TimeSpan.FromMilliseconds(1);
        }), MistralConstants.HttpClientName);

    [Fact]
    public async Task RecordManualRotationAsync_VerifiesTheNewKeyAtMistral_AndAfterGraceRetiresTheOldOneOnlyLocally()
    {
        using var host = Host(_emulator);
        var seeded = _emulator.Mistral.AddKey("prod");
        using (var current = seeded.ToSecretValue())
        {
            await host.Rotator.RegisterAsync(new KeyRegistration { Reference = Reference, ProviderKeyId = seeded.Id }, current);
        }

        _emulator.Mistral.Requests.Should().Equal(["GET v1/models"], "registering verified the current key");

        var waiting = await host.Rotator.RotateAsync(Reference, RotationReason.Scheduled);
        waiting.Tier.Should().Be(RotationTier.Manual, "Mistral documents no delete, whatever the adapter can create");
        waiting.Step.Should().Be(RotationStep.AwaitingNewKey, "a person creates the new key in the console");
        _emulator.Mistral.Requests.Should().HaveCount(1, "the Manual tier never creates a key at the provider");

        var created = _emulator.Mistral.AddKey("prod-2");
        using (var fresh = created.ToSecretValue())
        {
            var operation = await host.Rotator.RecordManualRotationAsync(Reference, fresh);

            operation.OperationId.Should().Be(waiting.OperationId);
            operation.Step.Should().Be(RotationStep.GracePeriod, operation.LastError);
        }

        _emulator.Mistral.Requests.Should().Equal(["GET v1/models", "GET v1/models"], "the supplied key was verified with one real call, and nothing else was sent");
        var key = await host.Keys.GetAsync(Reference);
        using (var served = await host.OpenAsync(Reference, key.CurrentVersion!))
        {
            served.Reveal().Should().Be(created.Secret);
        }

        await host.FinishGraceAsync();

        key = await host.Keys.GetAsync(Reference);
        key.Versions.Single(v => v.ProviderKeyId == seeded.Id).Stage.Should().Be(KeyStage.Revoked, "IronCage no longer serves the old key");
        _emulator.Mistral.IsValid(seeded.Secret).Should().BeTrue("Mistral has no delete by API: a person deletes the old key in the console");
        _emulator.Mistral.IsValid(created.Secret).Should().BeTrue();
        _emulator.Mistral.Requests.Should().HaveCount(2, "retiring a Manual-tier key calls nothing at the provider");
        host.Logs.ShouldNotContainAny([seeded.Secret, created.Secret, _emulator.Mistral.AdminKey]);
    }

    [Fact]
    public async Task RecordManualRotationAsync_SuppliedKeyWithExhaustedQuota_IsRetriedAsAmbiguousThenRolledBack_AndTheOldKeyStaysCurrent()
    {
        using var host = Host(_emulator);
        var seeded = _emulator.Mistral.AddKey("prod");
        using (var current = seeded.ToSecretValue())
        {
            await host.Rotator.RegisterAsync(new KeyRegistration { Reference = Reference, ProviderKeyId = seeded.Id }, current);
        }

        var created = _emulator.Mistral.AddKey("prod-2");
        _emulator.Mistral.SetQuotaExhausted(created.Secret);

        RotationOperation operation;
        using (var fresh = created.ToSecretValue())
        {
            operation = await host.Rotator.RecordManualRotationAsync(Reference, fresh);
        }

        // The 401 reads as InvalidKey first (a new key may still be propagating), and names the other reading.
        operation.Step.Should().Be(RotationStep.StoredPending);
        operation.LastError.Should().Contain("InvalidKey").And.Contain("exhausted quota");
        operation.NextAttemptAt.Should().NotBeNull("an InvalidKey answer to a new key is verified again later");
        for (var round = 0; round < 5 && operation.Step != RotationStep.Failed; round++)
        {
            host.Clock.Advance(NodaTime.Duration.FromHours(1));
            await host.Scheduler.RunDueAsync(host.Clock.GetCurrentInstant());
            operation = (await host.Rotator.GetOperationAsync(operation.OperationId))!;
        }

        operation.Step.Should().Be(RotationStep.Failed, "the key never verified, so it is rolled back");
        var key = await host.Keys.GetAsync(Reference);
        key.CurrentVersion!.ProviderKeyId.Should().Be(seeded.Id, "an unverified key is never promoted");
        _emulator.Mistral.IsValid(created.Secret).Should().BeTrue("on the Manual tier the rollback deletes nothing at Mistral");
        host.Logs.ShouldNotContainAny([seeded.Secret, created.Secret, _emulator.Mistral.AdminKey]);
    }

    [Fact]
    public async Task RecordManualRotationAsync_SuppliedKeyWhoseQuotaReturns_IsPromotedAtTheNextAttempt()
    {
        using var host = Host(_emulator);
        var seeded = _emulator.Mistral.AddKey("prod");
        using (var current = seeded.ToSecretValue())
        {
            await host.Rotator.RegisterAsync(new KeyRegistration { Reference = Reference, ProviderKeyId = seeded.Id }, current);
        }

        var created = _emulator.Mistral.AddKey("prod-2");
        _emulator.Mistral.SetQuotaExhausted(created.Secret);
        RotationOperation operation;
        using (var fresh = created.ToSecretValue())
        {
            operation = await host.Rotator.RecordManualRotationAsync(Reference, fresh);
        }

        operation.Step.Should().Be(RotationStep.StoredPending);
        _emulator.Mistral.SetQuotaExhausted(created.Secret, exhausted: false);
        host.Clock.Advance(NodaTime.Duration.FromHours(1));
        await host.Scheduler.RunDueAsync(host.Clock.GetCurrentInstant());

        operation = (await host.Rotator.GetOperationAsync(operation.OperationId))!;
        operation.Step.Should().Be(RotationStep.GracePeriod, operation.LastError);
        (await host.Keys.GetAsync(Reference)).CurrentVersion!.ProviderKeyId.Should().BeNull("a supplied key's Mistral id is not known on the Manual tier");
    }

    [Fact]
    public async Task VerifyAsync_ValidKeyWithExhaustedQuota_GetsTheInvalidKeyAnswerAndIsClassifiedAmbiguous()
    {
        using var host = Host(_emulator);
        var exhausted = _emulator.Mistral.AddKey("spent");
        _emulator.Mistral.SetQuotaExhausted(exhausted.Secret);
        var stranger = FakeKeys.GenerateText(ProviderId.Mistral);

        var (spentStatus, spentBody) = await GetModelsAsync(exhausted.Secret);
        var (strangerStatus, strangerBody) = await GetModelsAsync(stranger);

        spentStatus.Should().Be(HttpStatusCode.Unauthorized);
        spentBody.Should().Be("""{"detail":"Unauthorized"}""");
        (strangerStatus, strangerBody).Should().Be((spentStatus, spentBody), "Mistral answers both the same way");
        _emulator.Mistral.IsValid(exhausted.Secret).Should().BeTrue("the key itself is still valid");
        using var secret = exhausted.ToSecretValue();
        var result = await host.Adapter.VerifyAsync(new ProviderKeyContext { Key = Reference }, secret);
        result.IsValid.Should().BeFalse();
        result.ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
        result.IsAmbiguous.Should().BeTrue();
        result.AlternativeKind.Should().Be(ProviderErrorKind.QuotaExhausted);

        _emulator.Mistral.SetQuotaExhausted(exhausted.Secret, exhausted: false);
        (await host.Adapter.VerifyAsync(new ProviderKeyContext { Key = Reference }, secret)).IsValid.Should().BeTrue("the quota is back");
        host.Logs.ShouldNotContainAny([exhausted.Secret, _emulator.Mistral.AdminKey]);
    }

    [Fact]
    public async Task Models_SendsTheRateLimitHeaders_AndPastTheLimitAnswers429ThatTheAdapterClassifiesAsRateLimited()
    {
        using var host = Host(_emulator);
        _emulator.Mistral.RequestsPerMinute = 2;
        var key = _emulator.Mistral.AddKey("prod");
        using var client = new HttpClient();

        using var first = await client.SendAsync(Models(key.Secret));

        first.StatusCode.Should().Be(HttpStatusCode.OK);
        Header(first, "x-ratelimit-limit-req-minute").Should().Be("2");
        Header(first, "x-ratelimit-remaining-req-minute").Should().Be("1");
        Header(first, "x-ratelimit-limit-tokens-minute").Should().Be("500000");
        Header(first, "x-ratelimit-remaining-tokens-minute").Should().Be("500000");
        Header(first, "x-ratelimit-tokens-query-cost").Should().Be("0");
        using (var second = await client.SendAsync(Models(key.Secret)))
        {
            Header(second, "x-ratelimit-remaining-req-minute").Should().Be("0");
        }

        using var secret = key.ToSecretValue();
        var result = await host.Adapter.VerifyAsync(new ProviderKeyContext { Key = Reference }, secret);

        result.IsValid.Should().BeFalse();
        result.ErrorKind.Should().Be(ProviderErrorKind.RateLimited);
    }

    [Fact]
    public async Task AdminApi_WithAnInferenceKeyOrBearerAuth_AnswersUnauthorized_AndTheAdapterSaysItIsAmbiguous()
    {
        var inference = _emulator.Mistral.AddKey("prod");
        using var client = new HttpClient();
        using var asHeader = new HttpRequestMessage(HttpMethod.Get, new Uri(_emulator.Mistral.BaseAddress, "api-keys"));
        asHeader.Headers.Add("x-api-key", inference.Secret);
        using var asBearer = new HttpRequestMessage(HttpMethod.Get, new Uri(_emulator.Mistral.BaseAddress, "api-keys"));
        asBearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _emulator.Mistral.AdminKey);

        (await client.SendAsync(asHeader)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "a normal API key never grants admin access");
        (await client.SendAsync(asBearer)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the admin key goes in x-api-key, as the adapter sends it");

        using var host = new ProviderHost(b => b.AddMistral("mistral", o =>
        {
            o.BaseAddress = _emulator.Mistral.BaseAddress;
            o.InferenceAddress = _emulator.Mistral.InferenceAddress;
            o.AdminKey = inference.Secret;
            o.MaxRetries = 0;
        }), MistralConstants.HttpClientName);
        var act = () => host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = new ProviderKeyContext { Key = Reference }, Name = "n" });

        var thrown = (await act.Should().ThrowAsync<ProviderRequestException>()).Which;
        thrown.StatusCode.Should().Be(401);
        thrown.IsAmbiguous.Should().BeTrue();
        thrown.ToString().Should().NotContain(inference.Secret);
    }

    [Fact]
    public async Task CreateKeyAsync_SendsTheExpirationDateAndWorkspace_AndTheKeyStopsWorkingOnThatDay()
    {
        var time = new HostClockTimeProvider();
        await using var emulator = await ProviderEmulator.StartAsync(time);
        using var host = Host(emulator);
        time.Clock = host.Clock;
        const string Workspace = "5c2d8e1f-0a9b-4c7d-8e6f-123456789abc";
        var context = new ProviderKeyContext { Key = Reference, Scope = new Dictionary<string, string> { [MistralConstants.WorkspaceIdScopeKey] = Workspace } };

        using var created = await host.Adapter.CreateKeyAsync(new CreateProviderKeyRequest { Context = context, Name = "ironcage-prod-2", ExpiresAt = NodaTime.Instant.FromUtc(2026, 12, 31, 18, 0) });

        created.ExpiresAt.Should().Be(NodaTime.Instant.FromUtc(2026, 12, 31, 0, 0), "the expiration is a date: the key lives until that day starts, never longer than asked");
        created.Metadata[MistralConstants.WorkspaceIdMetadataKey].Should().Be(Workspace);
        emulator.Mistral.IsValid(created.Secret.Reveal()).Should().BeTrue();
        host.Clock.Reset(NodaTime.Instant.FromUtc(2026, 12, 31, 0, 0));
        emulator.Mistral.IsValid(created.Secret.Reveal()).Should().BeFalse();
        (await host.Adapter.VerifyAsync(context, created.Secret)).ErrorKind.Should().Be(ProviderErrorKind.InvalidKey);
    }

    [Fact]
    public async Task ListKeysAsync_FollowsLimitAndOffsetPages_WithValuesMasked()
    {
        using var host = Host(_emulator);
        var seeded = Enumerable.Range(0, 205).Select(i => _emulator.Mistral.AddKey("k" + i)).ToList();

        var listed = new List<ProviderKeyInfo>();
        await foreach (var key in host.Adapter.ListKeysAsync(new ProviderKeyContext { Key = Reference }))
        {
            listed.Add(key);
        }

        listed.Select(k => k.ProviderKeyId).Should().Equal(seeded.Select(k => k.Id));
        listed[0].DisplayHint.Should().StartWith(seeded[0].Secret[..4]).And.EndWith(seeded[0].Secret[^4..]).And.Contain("****");
        _emulator.Mistral.Requests.Should().Equal(["GET api/admin/api-keys?limit=100&offset=0", "GET api/admin/api-keys?limit=100&offset=100", "GET api/admin/api-keys?limit=100&offset=200"]);
    }

    private static string? Header(HttpResponseMessage response, string name) => response.Headers.TryGetValues(name, out var values) ? values.Single() : null;

    private HttpRequestMessage Models(string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_emulator.Mistral.InferenceAddress, "models"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    private async Task<(HttpStatusCode Status, string Body)> GetModelsAsync(string key)
    {
        using var client = new HttpClient();
        using var request = Models(key);
        using var response = await client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
