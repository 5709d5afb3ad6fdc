using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using IronCage.Auditing;
using IronCage.Providers;
using IronCage.Testing;
using IronCage.Verification;
using Microsoft.Extensions.DependencyInjection;
using static IronCage.AspNetCore.Tests.AdminTestHost;

namespace IronCage.AspNetCore.Tests;

public sealed class AdminRouteTests : IAsyncLifetime
{
    private AdminTestHost _host = null!;

    public async Task InitializeAsync() => _host = await StartAsync(access: o => o.RateLimitPermits = 10_000);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ListKeys_PagedAndFiltered_ReturnsKeysTotalAndHintsOnly()
    {
        var (first, secret) = await _host.SeedAsync("a");
        await _host.SeedAsync("b");
        await _host.SeedAsync("c", ProviderId.Anthropic);

        var page = await GetJsonAsync("/api/admin/api-keys?pageSize=2&page=1");
        var anthropic = await GetJsonAsync("/api/admin/api-keys?provider=anthropic");

        page["total"]!.GetValue<int>().Should().Be(3);
        var keys = page["keys"]!.AsArray();
        keys.Should().HaveCount(2);
        var key = keys[0]!;
        key["id"]!.GetValue<string>().Should().Be("anthropic/c");
        key["active"]!.GetValue<bool>().Should().BeTrue();
        key["createdAt"]!.GetValue<string>().Should().Be("2026-11-02T09:00:00Z", "instants are ISO 8601 UTC");
        key["usage"]!["current"]!.GetValue<decimal>().Should().Be(0);
        key["displayHint"]!.GetValue<string>().Should().Contain("…");
        anthropic["keys"]!.AsArray().Select(k => k!["provider"]!.GetValue<string>()).Should().OnlyContain(p => p == "anthropic");
        (await GetJsonAsync("/api/admin/api-keys?overdue=true"))["total"]!.GetValue<int>().Should().Be(0);
        page.ToJsonString().Should().NotContain(secret.Reveal());
        first.Should().Be(new KeyReference(ProviderId.OpenAI, "a"));
    }

    [Fact]
    public async Task ListKeys_PageSizeOutOfRange_IsAProblemNamingTheField()
    {
        var response = await _host.SendAsync(HttpMethod.Get, "/api/admin/api-keys?pageSize=0", Caller.RightRoleMfa);

        await ExpectFieldProblemAsync(response, "pageSize");
    }

    [Fact]
    public async Task CreateKey_ValidKey_Returns201WithLocationAndTheHint()
    {
        var value = FakeKeys.GenerateText(ProviderId.OpenAI);
        _host.OpenAI.AddExistingKey(SecretValue.FromString(value), "created-by-test");

        var response = await _host.SendAsync(HttpMethod.Post, "/api/admin/api-keys", Caller.RightRoleMfa, JsonContent.Create(new { provider = "openai", name = "new", key = value, organizationId = "org-1", rotationSchedule = "P30D", expiresAt = "2027-01-01T00:00:00Z" }));

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        response.Headers.Location!.ToString().Should().Be("/api/admin/api-keys/openai/new");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        body["organizationId"]!.GetValue<string>().Should().Be("org-1");
        body["rotationSchedule"]!.GetValue<string>().Should().Be("P30D");
        body["expiresAt"]!.GetValue<string>().Should().Be("2027-01-01T00:00:00Z");
        body["displayHint"]!.GetValue<string>().Should().NotBe(value).And.EndWith(value[^4..]);
        (await _host.SendAsync(HttpMethod.Get, response.Headers.Location.ToString(), Caller.RightRoleMfa)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task CreateKey_WrongPrefix_Is400NamingTheKeyFieldAndTheFix()
    {
        var anthropicKey = FakeKeys.GenerateText(ProviderId.Anthropic);

        var response = await _host.SendAsync(HttpMethod.Post, "/api/admin/api-keys", Caller.RightRoleMfa, JsonContent.Create(new { provider = "openai", name = "wrong", key = anthropicKey }));

        var problem = await ExpectFieldProblemAsync(response, "key");
        problem["errors"]!["key"]![0]!.GetValue<string>().Should().Contain("anthropic", "the fix names the provider the key belongs to");
        problem.ToJsonString().Should().NotContain(anthropicKey);
    }

    [Fact]
    public async Task CreateKey_AdminKeyForInference_Is400NamingTheKeyField()
    {
        var adminKey = FakeKeys.GenerateText(ProviderId.OpenAI, KeyKind.Admin);

        var response = await _host.SendAsync(HttpMethod.Post, "/api/admin/api-keys", Caller.RightRoleMfa, JsonContent.Create(new { provider = "openai", name = "admin-as-inference", key = adminKey }));

        await ExpectFieldProblemAsync(response, "key");
    }

    [Fact]
    public async Task CreateKey_MissingFieldsOrBadSchedule_NameTheField()
    {
        await ExpectFieldProblemAsync(await _host.SendAsync(HttpMethod.Post, "/api/admin/api-keys", Caller.RightRoleMfa, JsonContent.Create(new { name = "x", key = "k" })), "provider");
        await ExpectFieldProblemAsync(await _host.SendAsync(HttpMethod.Post, "/api/admin/api-keys", Caller.RightRoleMfa, JsonContent.Create(new { provider = "openai", name = "x", key = FakeKeys.GenerateText(ProviderId.OpenAI), rotationSchedule = "fortnightly" })), "rotationSchedule");
        var malformed = await _host.SendAsync(HttpMethod.Post, "/api/admin/api-keys", Caller.RightRoleMfa, new StringContent("{ not json", System.Text.Encoding.UTF8, "application/json"));
        malformed.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        malformed.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task GetKey_Unknown_Is404ProblemDetails()
    {
        var response = await _host.SendAsync(HttpMethod.Get, "/api/admin/api-keys/openai/missing", Caller.RightRoleMfa);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        problem["status"]!.GetValue<int>().Should().Be(404);
        problem["detail"]!.GetValue<string>().Should().Contain("openai/missing");
    }

    [Fact]
    public async Task Rotate_Manual_ReturnsOldAndNewHintsTheOperationAndItsStep()
    {
        var (key, secret) = await _host.SeedAsync("rot");
        var before = await _host.Services.GetRequiredService<Storage.IKeyStore>().GetAsync(key);

        var body = await SendJsonAsync(HttpMethod.Put, "/api/admin/api-keys/openai/rot/rotate");

        body["oldKey"]!.GetValue<string>().Should().Be(before.CurrentVersion!.DisplayHint);
        body["newKey"]!.GetValue<string>().Should().NotBe(before.CurrentVersion.DisplayHint).And.Contain("…");
        body["operationId"]!.GetValue<string>().Should().StartWith("rot_");
        body["step"]!.GetValue<string>().Should().Be("GracePeriod");
        _host.OpenAI.IsAccepted(secret).Should().BeTrue("the old key stays valid through the grace period");
        var history = (await GetJsonAsync("/api/admin/api-keys/openai/rot/rotations")).AsArray();
        history.Should().ContainSingle().Which!["operationId"]!.GetValue<string>().Should().Be(body["operationId"]!.GetValue<string>());
        (await GetJsonAsync($"/api/admin/rotations/{body["operationId"]}"))["step"]!.GetValue<string>().Should().Be("GracePeriod");
        var completed = await SendJsonAsync(HttpMethod.Post, $"/api/admin/rotations/{body["operationId"]}/complete-grace");
        completed["step"]!.GetValue<string>().Should().Be("Completed");
        _host.OpenAI.IsAccepted(secret).Should().BeFalse();
    }

    [Fact]
    public async Task Rotate_CompromisedRevokeFirst_RevokesTheOldKeyAtOnce()
    {
        var (_, secret) = await _host.SeedAsync("leaked");

        var body = await SendJsonAsync(HttpMethod.Put, "/api/admin/api-keys/openai/leaked/rotate?reason=compromised&revokeFirst=true&note=posted%20on%20a%20forum");

        body["step"]!.GetValue<string>().Should().Be("Completed");
        _host.OpenAI.IsAccepted(secret).Should().BeFalse();
        var records = await _host.AuditAsync();
        records.Should().Contain(r => r.Event.Action == AuditAction.KeyRotate && r.Event.Actor == "olga" && r.Event.IpAddress == RemoteAllowed && r.Event.Reason == "posted on a forum");
    }

    [Fact]
    public async Task Rotate_RevokeFirstWithoutCompromise_Is400()
    {
        await _host.SeedAsync("rf");

        await ExpectFieldProblemAsync(await _host.SendAsync(HttpMethod.Put, "/api/admin/api-keys/openai/rf/rotate?revokeFirst=true", Caller.RightRoleMfa), "revokeFirst");
    }

    [Fact]
    public async Task Verify_LiveKey_IsValidWithDetails()
    {
        await _host.SeedAsync("ver");
        _host.OpenAI.VerifyRateLimits = new ProviderRateLimits { RequestLimit = 10_000, RequestsRemaining = 9_999, TokenLimit = 30_000_000, TokensRemaining = 29_999_980 };
        _host.OpenAI.VerifyOrganization = "org-FromTheProvidersAnswer01";

        var body = await SendJsonAsync(HttpMethod.Post, "/api/admin/api-keys/openai/ver/verify");

        body["valid"]!.GetValue<bool>().Should().BeTrue();
        body["details"]!["organization"]!.GetValue<string>().Should().Be("org-FromTheProvidersAnswer01", "the organization the provider's answer named");
        var limits = body["details"]!["limits"]!;
        limits["rateLimit"]!.GetValue<long>().Should().Be(10_000, "the provider's request limit, from its rate-limit headers");
        limits["quotaLimit"]!.GetValue<long>().Should().Be(30_000_000, "the provider's token limit");
        limits["rateRemaining"]!.GetValue<long>().Should().Be(9_999);
        limits["quotaRemaining"]!.GetValue<long>().Should().Be(29_999_980);
        (await _host.AuditAsync()).Should().Contain(r => r.Event.Action == AuditAction.KeyVerify && r.Event.Target == "openai/ver");
    }

    [Fact]
    public async Task Usage_ReturnsUsageHistoryAndCosts()
    {
        await _host.SeedAsync("use");

        var body = await GetJsonAsync("/api/admin/api-keys/openai/use/usage");

        body["usage"]!["current"]!.GetValue<decimal>().Should().Be(0);
        body["history"]!["daily"]!.AsArray().Should().NotBeNull();
        body["history"]!["monthly"]!.AsArray().Should().NotBeNull();
        body["costs"]!["current"]!.GetValue<decimal>().Should().Be(0);
        body["costs"]!["projected"]!.GetValue<decimal>().Should().Be(0);
    }

    [Fact]
    public async Task Limits_Put_AreStoredShownAsAlertsAndUsedByUsage()
    {
        await _host.SeedAsync("lim");

        var body = await SendJsonAsync(HttpMethod.Put, "/api/admin/api-keys/openai/lim/limits", JsonContent.Create(new { limits = new[] { new { metric = "requests", window = "day", limit = 1000, enforcement = "hard" } }, alertThresholds = new[] { 0.5 } }));
        var usage = await GetJsonAsync("/api/admin/api-keys/openai/lim/usage");
        var alerts = await GetJsonAsync("/api/admin/alerts");

        body["limits"]![0]!["limit"]!.GetValue<decimal>().Should().Be(1000);
        usage["usage"]!["limit"]!.GetValue<decimal>().Should().Be(1000);
        usage["usage"]!["resetAt"]!.GetValue<string>().Should().Be("2026-11-03T00:00:00Z");
        alerts["keys"]!.AsArray().Should().Contain(k => k!["id"]!.GetValue<string>() == "openai/lim" && k["alertThresholds"]![0]!.GetValue<decimal>() == 0.5m);
        (await _host.AuditAsync()).Should().Contain(r => r.Event.Action == AuditAction.KeyLimitsChange && r.Event.Actor == "olga");
        await ExpectFieldProblemAsync(await _host.SendAsync(HttpMethod.Put, "/api/admin/api-keys/openai/lim/limits", Caller.RightRoleMfa, JsonContent.Create(new { alertThresholds = new[] { 1.5 } })), "limits");
    }

    [Fact]
    public async Task Alerts_Get_IsPagedInTheStore_WithTotal_AndOutOfRangePagingNamesTheField()
    {
        foreach (var name in new[] { "al-a", "al-b", "al-c" })
        {
            await _host.SeedAsync(name);
        }

        var first = await GetJsonAsync("/api/admin/alerts?provider=openai&pageSize=2");
        var second = await GetJsonAsync("/api/admin/alerts?provider=openai&pageSize=2&page=2");

        var total = first["total"]!.GetValue<int>();
        total.Should().BeGreaterThanOrEqualTo(3);
        first["keys"]!.AsArray().Should().HaveCount(2);
        first["pageSize"]!.GetValue<int>().Should().Be(2);
        second["page"]!.GetValue<int>().Should().Be(2);
        var ids = first["keys"]!.AsArray().Concat(second["keys"]!.AsArray()).Select(k => k!["id"]!.GetValue<string>()).ToList();
        ids.Should().OnlyHaveUniqueItems().And.BeInAscendingOrder(StringComparer.Ordinal).And.OnlyContain(id => id.StartsWith("openai/", StringComparison.Ordinal));
        first["defaultThresholds"]!.AsArray().Should().NotBeEmpty();
        await ExpectFieldProblemAsync(await _host.SendAsync(HttpMethod.Get, "/api/admin/alerts?pageSize=501", Caller.RightRoleMfa), "pageSize");
        await ExpectFieldProblemAsync(await _host.SendAsync(HttpMethod.Get, "/api/admin/alerts?page=0", Caller.RightRoleMfa), "page");
    }

    [Fact]
    public async Task Policy_Put_SchedulesTheKey_AndABadScheduleNamesTheField()
    {
        await _host.SeedAsync("pol");

        var body = await SendJsonAsync(HttpMethod.Put, "/api/admin/api-keys/openai/pol/policy", JsonContent.Create(new { rotationSchedule = "P30D", window = new { days = new[] { "Saturday" }, start = "02:00:00", length = "2:00:00", zone = "Europe/Paris" } }));

        body["rotationSchedule"]!.GetValue<string>().Should().Be("P30D");
        body["window"]!["zone"]!.GetValue<string>().Should().Be("Europe/Paris");
        body["nextDueAt"].Should().NotBeNull();
        var renewing = await SendJsonAsync(HttpMethod.Put, "/api/admin/api-keys/openai/pol/policy", JsonContent.Create(new { rotationSchedule = "P30D", renewBeforeExpiry = "01:30:00" }));
        renewing["renewBeforeExpiry"]!.GetValue<string>().Should().Be("1:30:00", "the renewal lead is set and shown like every other policy setting");
        await ExpectFieldProblemAsync(await _host.SendAsync(HttpMethod.Put, "/api/admin/api-keys/openai/pol/policy", Caller.RightRoleMfa, JsonContent.Create(new { rotationSchedule = "P0D" })), "rotationSchedule");
        await ExpectFieldProblemAsync(await _host.SendAsync(HttpMethod.Put, "/api/admin/api-keys/openai/pol/policy", Caller.RightRoleMfa, JsonContent.Create(new { gracePeriod = "744:00:00" })), "rotationSchedule");
    }

    [Fact]
    public async Task RevokeKillDelete_StopTheKeyThenRemoveIt()
    {
        var (_, revoked) = await _host.SeedAsync("rev");
        await _host.SeedAsync("kil");

        var revoke = await SendJsonAsync(HttpMethod.Post, "/api/admin/api-keys/openai/rev/revoke", JsonContent.Create(new { note = "left the company" }));
        var kill = await SendJsonAsync(HttpMethod.Post, "/api/admin/api-keys/openai/kil/kill");
        var deleteServed = await _host.SendAsync(HttpMethod.Delete, "/api/admin/api-keys/openai/kil", Caller.RightRoleMfa);
        var delete = await _host.SendAsync(HttpMethod.Delete, "/api/admin/api-keys/openai/rev", Caller.RightRoleMfa);

        revoke["step"]!.GetValue<string>().Should().Be("Completed");
        _host.OpenAI.IsAccepted(revoked).Should().BeFalse();
        kill["active"]!.GetValue<bool>().Should().BeFalse();
        deleteServed.StatusCode.Should().Be(HttpStatusCode.NoContent, "a killed key is served no more, so it may be deleted");
        delete.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _host.SendAsync(HttpMethod.Get, "/api/admin/api-keys/openai/rev", Caller.RightRoleMfa)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _host.AuditAsync()).Should().Contain(r => r.Event.Action == AuditAction.KeyDelete && r.Event.Target == "openai/rev");
    }

    [Fact]
    public async Task Delete_ServedKey_Is409WithTheFix()
    {
        await _host.SeedAsync("served");

        var response = await _host.SendAsync(HttpMethod.Delete, "/api/admin/api-keys/openai/served", Caller.RightRoleMfa);

        response.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await response.Content.ReadAsStringAsync()).Should().Contain("Revoke the key");
    }

    [Fact]
    public async Task Supply_ManualTierRotation_IsRecordedWithoutAskingTheProvider()
    {
        await _host.SeedAsync("manual", ProviderId.Groq);
        var waiting = await SendJsonAsync(HttpMethod.Put, "/api/admin/api-keys/groq/manual/rotate");
        var recorded = FakeKeys.GenerateText(ProviderId.Groq);
        _host.Groq.AddExistingKey(SecretValue.FromString(recorded), "made in the console");
        _host.Groq.ClearCalls();

        var supply = await SendJsonAsync(HttpMethod.Post, "/api/admin/api-keys/groq/manual/supply", JsonContent.Create(new { key = recorded }));

        waiting["step"]!.GetValue<string>().Should().Be("AwaitingNewKey");
        supply["step"]!.GetValue<string>().Should().Be("GracePeriod", "the recorded key was verified and promoted (it was refused before: supply only took semi-automatic keys)");
        _host.Groq.Calls.Should().OnlyContain(c => c.Operation == FakeProviderOperation.Verify, "recording a manual rotation only verifies the new key");
        supply.ToJsonString().Should().NotContain(recorded);
    }

    [Fact]
    public async Task SupplyAndCancel_SemiAutomaticRotation_WalkTheSteps()
    {
        await _host.SeedAsync("semi", ProviderId.Anthropic);
        await _host.SeedAsync("semi2", ProviderId.Anthropic);
        var waiting = await SendJsonAsync(HttpMethod.Put, "/api/admin/api-keys/anthropic/semi/rotate");
        var waiting2 = await SendJsonAsync(HttpMethod.Put, "/api/admin/api-keys/anthropic/semi2/rotate");
        var supplied = FakeKeys.GenerateText(ProviderId.Anthropic);
        _host.Anthropic.AddExistingKey(SecretValue.FromString(supplied), "made in the console");

        var supply = await SendJsonAsync(HttpMethod.Post, "/api/admin/api-keys/anthropic/semi/supply", JsonContent.Create(new { key = supplied }));
        var cancel = await SendJsonAsync(HttpMethod.Post, $"/api/admin/rotations/{waiting2["operationId"]}/cancel", JsonContent.Create(new { note = "not now" }));
        var resume = await SendJsonAsync(HttpMethod.Post, $"/api/admin/rotations/{supply["operationId"]}/resume");

        waiting["step"]!.GetValue<string>().Should().Be("AwaitingNewKey");
        supply["step"]!.GetValue<string>().Should().Be("GracePeriod");
        supply["newKey"]!.GetValue<string>().Should().EndWith(supplied[^4..]);
        supply.ToJsonString().Should().NotContain(supplied);
        cancel["step"]!.GetValue<string>().Should().Be("Failed");
        resume["step"]!.GetValue<string>().Should().Be("GracePeriod", "the grace period has not ended");
        (await _host.SendAsync(HttpMethod.Post, "/api/admin/rotations/rot_missing/resume", Caller.RightRoleMfa)).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PlanAndDebt_ListManualTierKeysWithTheirConsole()
    {
        await _host.SeedAsync("debt", ProviderId.Anthropic);
        await SendJsonAsync(HttpMethod.Put, "/api/admin/api-keys/anthropic/debt/policy", JsonContent.Create(new { rotationSchedule = "P7D" }));
        _host.Clock.AdvanceDays(10);

        var plan = await GetJsonAsync("/api/admin/rotations/plan");
        var debt = (await GetJsonAsync("/api/admin/rotation-debt")).AsArray();

        plan["items"]!.AsArray().Should().Contain(i => i!["key"]!.GetValue<string>() == "anthropic/debt");
        var item = debt.Single(i => i!["key"]!.GetValue<string>() == "anthropic/debt")!;
        item["tier"]!.GetValue<string>().Should().Be("SemiAutomatic");
        item["consoleUrl"]!.GetValue<string>().Should().StartWith("https://");
        item["currentKeyAge"]!.GetValue<string>().Should().Be("240:00:00", "durations are NodaTime's round-trip pattern");
        item["isDue"]!.GetValue<bool>().Should().BeTrue();
        (await GetJsonAsync("/api/admin/api-keys?overdue=true"))["keys"]!.AsArray().Should().ContainSingle(k => k!["id"]!.GetValue<string>() == "anthropic/debt");
    }

    [Fact]
    public async Task Audit_ListsAttemptsAndVerifiesTheChain()
    {
        await _host.SeedAsync("aud");
        await GetJsonAsync("/api/admin/api-keys/openai/aud");
        await GetJsonAsync("/api/admin/api-keys/openai/aud");

        var page = await GetJsonAsync("/api/admin/audit?action=access.granted&take=1");
        var verify = await SendJsonAsync(HttpMethod.Post, "/api/admin/audit/verify");

        page["records"]!.AsArray().Should().ContainSingle().Which!["details"]!["operation"]!.GetValue<string>().Should().Be("keys.get");
        page["next"].Should().NotBeNull("there are more access records than one");
        verify["valid"]!.GetValue<bool>().Should().BeTrue();
        verify["recordsChecked"]!.GetValue<long>().Should().BeGreaterThan(1);
        await ExpectFieldProblemAsync(await _host.SendAsync(HttpMethod.Get, "/api/admin/audit?take=0", Caller.RightRoleMfa), "take");
    }

    [Fact]
    public async Task UsageReport_JsonAndCsv_AreDownloads()
    {
        await _host.SeedAsync("rep");

        var json = await _host.SendAsync(HttpMethod.Get, "/api/admin/usage/report?format=json&granularity=day", Caller.RightRoleMfa);
        var csv = await _host.SendAsync(HttpMethod.Get, "/api/admin/usage/report?format=csv&from=2026-10-01T00:00:00Z", Caller.RightRoleMfa);

        json.StatusCode.Should().Be(HttpStatusCode.OK);
        json.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        json.Content.Headers.ContentDisposition!.DispositionType.Should().Be("attachment");
        JsonNode.Parse(await json.Content.ReadAsStringAsync()).Should().NotBeNull();
        csv.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        (await csv.Content.ReadAsStringAsync()).Should().StartWith(Usage.UsageReport.CsvHeader);
        await ExpectFieldProblemAsync(await _host.SendAsync(HttpMethod.Get, "/api/admin/usage/report?from=yesterday", Caller.RightRoleMfa), "from");
        await ExpectFieldProblemAsync(await _host.SendAsync(HttpMethod.Get, "/api/admin/usage/report?format=xml", Caller.RightRoleMfa), "format");
    }

    [Fact]
    public async Task Access_ShowsWhoMayDoWhat()
    {
        var body = await GetJsonAsync("/api/admin/access");

        body["mfaClaimType"]!.GetValue<string>().Should().Be("amr");
        var revoke = body["permissions"]!.AsArray().Single(p => p!["permission"]!.GetValue<string>() == "keys.revoke")!;
        revoke["policyConfigured"]!.GetValue<bool>().Should().BeTrue();
        revoke["allowedNetworks"]!.AsArray().Select(n => n!.GetValue<string>()).Should().Contain("10.0.0.0/8");
        revoke["operations"]!.AsArray().Select(o => o!.GetValue<string>()).Should().Contain("keys.revoke (MFA)");
    }

    [Fact]
    public async Task OpenApiDocument_DescribesEveryAdminRoute()
    {
        var document = JsonNode.Parse(await _host.Client.GetStringAsync("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();

        paths.Should().Contain(
        [
            "/api/admin/api-keys", "/api/admin/api-keys/{provider}/{name}", "/api/admin/api-keys/{provider}/{name}/rotate",
            "/api/admin/api-keys/{provider}/{name}/verify", "/api/admin/api-keys/{provider}/{name}/usage", "/api/admin/api-keys/{provider}/{name}/revoke",
            "/api/admin/api-keys/{provider}/{name}/kill", "/api/admin/api-keys/{provider}/{name}/limits", "/api/admin/api-keys/{provider}/{name}/policy",
            "/api/admin/api-keys/{provider}/{name}/supply", "/api/admin/api-keys/{provider}/{name}/rotations", "/api/admin/rotations/plan",
            "/api/admin/rotation-debt", "/api/admin/rotations/{operationId}", "/api/admin/rotations/{operationId}/cancel",
            "/api/admin/rotations/{operationId}/resume", "/api/admin/rotations/{operationId}/complete-grace", "/api/admin/audit",
            "/api/admin/audit/verify", "/api/admin/usage/report", "/api/admin/alerts", "/api/admin/access",
        ]);
        document["paths"]!["/api/admin/api-keys"]!["post"]!["summary"]!.GetValue<string>().Should().Be("Add a managed key");
        document["paths"]!["/api/admin/api-keys/{provider}/{name}/rotate"]!["put"]!["responses"]!.AsObject().Select(r => r.Key).Should().Contain(["200", "403", "404", "409"]);
    }

    [Fact]
    public async Task HealthChecks_ReportEachIronCageCheck()
    {
        await _host.SeedAsync("health");

        var response = await _host.Client.GetAsync("/health");

        response.StatusCode.Should().Be(HttpStatusCode.OK, "no check fails: the host runs no scheduler, which is only degraded");
        (await response.Content.ReadAsStringAsync()).Should().Be("Degraded");
    }

    private async Task<JsonNode> GetJsonAsync(string path) => await SendJsonAsync(HttpMethod.Get, path);

    private async Task<JsonNode> SendJsonAsync(HttpMethod method, string path, HttpContent? content = null)
    {
        var response = await _host.SendAsync(method, path, Caller.RightRoleMfa, content);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.Should().BeTrue($"{method} {path} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    private static async Task<JsonNode> ExpectFieldProblemAsync(HttpResponseMessage response, string field)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, text);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = JsonNode.Parse(text)!;
        problem["errors"]![field].Should().NotBeNull($"the problem names the field '{field}': {text}");
        return problem;
    }
}
