using System.Net;
using System.Text.RegularExpressions;
using IronCage.Auditing;
using IronCage.Rotation;
using IronCage.Storage;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using static IronCage.AspNetCore.Tests.AdminTestHost;

namespace IronCage.AspNetCore.Tests;

/// <summary>
/// The dashboard's limits, alerts, delete, resume and record forms and the key list's filters over HTTP: antiforgery
/// required, the API's permission and MFA rules, audited, errors next to their field, a notice after the redirect.
/// (The browser scenario is in IronCage.Dashboard.Tests.)
/// </summary>
public sealed partial class DashboardFormTests : IAsyncLifetime
{
    private AdminTestHost _host = null!;
    private HttpClient _forms = null!;

    public static TheoryData<string, Dictionary<string, string>> Forms => new()
    {
        { "limits", new() { ["metric"] = "requests", ["window"] = "day", ["limit"] = "10", ["enforcement"] = "hard" } },
        { "alerts", new() { ["alertThresholds"] = "50" } },
        { "delete", new() { ["confirm"] = "openai/a" } },
        { "resume", new() { ["operationId"] = "rot_missing" } },
    };

    public async Task InitializeAsync()
    {
        _host = await StartAsync(access: o => o.RateLimitPermits = 10_000);
        _forms = _host.CreateFormClient();
    }

    public async Task DisposeAsync()
    {
        _forms.Dispose();
        await _host.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public async Task DashboardForm_WithoutAntiforgeryToken_Is400AuditedAndChangesNothing(string action, Dictionary<string, string> fields)
    {
        var (key, _) = await _host.SeedAsync("a");

        using var response = await _host.SendAsync(HttpMethod.Post, $"/ironcage/keys/openai/a/{action}", Caller.RightRoleMfa, new FormUrlEncodedContent(fields));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("antiforgery");
        ShouldBeUnchanged((await Keys.GetAsync(key)).Limits);
        (await _host.AuditAsync()).Should().Contain(r => r.Event.Action == AuditAction.AccessGranted && r.Event.Details["status"] == "400" && r.Event.Details["operation"] == OperationOf(action))
            .And.NotContain(r => r.Event.Action == AuditAction.KeyLimitsChange || r.Event.Action == AuditAction.KeyDelete);
    }

    [Theory]
    [InlineData("limits", "right role without MFA", 403)]
    [InlineData("alerts", "right role without MFA", 403)]
    [InlineData("delete", "right role without MFA", 403)]
    [InlineData("limits", "wrong role", 403)]
    [InlineData("resume", "wrong role", 403)]
    [InlineData("limits", "anonymous", 401)]
    public async Task DashboardForm_CallerWithoutTheApisPermissionOrMfa_IsRefusedAuditedAndChangesNothing(string action, string label, int expected)
    {
        var (key, _) = await _host.SeedAsync("a");
        await _host.Rotator.KillAsync(key, (await Keys.GetAsync(key)).CurrentVersion!.VersionId);
        var caller = new[] { Caller.RightRoleNoMfa, Caller.WrongRole, Caller.Anonymous }.Single(c => c.Label == label);
        var fields = Forms.Select(row => ((string)row[0], (Dictionary<string, string>)row[1])).Single(f => f.Item1 == action).Item2;

        using var response = await PostFormAsync($"/ironcage/keys/openai/a/{action}", caller, fields);

        ((int)response.StatusCode).Should().Be(expected);
        if (label == "right role without MFA")
        {
            (await response.Content.ReadAsStringAsync()).Should().Contain("multi-factor");
        }

        (await Keys.FindAsync(key)).Should().NotBeNull();
        ShouldBeUnchanged((await Keys.GetAsync(key)).Limits);
        (await _host.AuditAsync()).Should().ContainSingle(r => r.Event.Action == AuditAction.AccessDenied && r.Event.Details["operation"] == OperationOf(action) && r.Event.Details["status"] == expected.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task DashboardLimits_ValidRows_AreSavedAuditedAndRedirectWithANotice()
    {
        var (key, _) = await _host.SeedAsync("a");

        using var response = await PostFormAsync("/ironcage/keys/openai/a/limits", Caller.RightRoleMfa, [
            new("metric", "requests"), new("window", "minute"), new("limit", "100"), new("enforcement", "hard"),
            new("metric", "cost"), new("window", "month"), new("limit", "25.50"), new("enforcement", "soft"),
            new("metric", "tokens"), new("window", "day"), new("limit", ""), new("enforcement", "soft")]);

        response.StatusCode.Should().Be(HttpStatusCode.SeeOther);
        response.Headers.Location!.ToString().Should().Be("/ironcage/keys/openai/a?notice=limits");
        (await Keys.GetAsync(key)).Limits.Limits.Should().Equal(
            new UsageLimit(UsageMetric.Requests, UsageWindow.Minute, 100m, LimitEnforcement.Hard),
            new UsageLimit(UsageMetric.Cost, UsageWindow.Month, 25.50m, LimitEnforcement.Soft));
        var audit = await _host.AuditAsync();
        audit.Should().ContainSingle(r => r.Event.Action == AuditAction.KeyLimitsChange && r.Event.Actor == "olga" && r.Event.Target == "openai/a");
        audit.Should().Contain(r => r.Event.Action == AuditAction.AccessGranted && r.Event.Details["operation"] == "keys.limits" && r.Event.Details["status"] == "303");

        using var page = await _host.SendAsync(HttpMethod.Get, response.Headers.Location.ToString(), Caller.RightRoleMfa);
        var html = await page.Content.ReadAsStringAsync();
        html.Should().Contain("usage limits were saved").And.Contain("id=\"limit-2\"", "an empty row follows the two limits");
    }

    [Theory]
    [InlineData("abc", "limit-0", "not a number above zero")]
    [InlineData("0", "limit-0", "not a number above zero")]
    [InlineData("-5", "limit-0", "not a number above zero")]
    public async Task DashboardLimits_BadValue_Is400WithTheErrorNextToTheFieldAndTheRowKept(string value, string field, string message)
    {
        var (key, _) = await _host.SeedAsync("a");

        using var response = await PostFormAsync("/ironcage/keys/openai/a/limits", Caller.RightRoleMfa, [new("metric", "tokens"), new("window", "hour"), new("limit", value), new("enforcement", "soft")]);
        var html = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        html.Should().Contain($"id=\"{field}-error\"").And.Contain(message).And.Contain($"href=\"#{field}\"");
        InputTag(html, field).Should().Contain("aria-invalid=\"true\"").And.Contain($"value=\"{WebUtility.HtmlEncode(value)}\"");
        html.Should().MatchRegex("<select name=\"metric\" id=\"metric-0\"[^>]*>.*<option value=\"tokens\" selected>");
        ShouldBeUnchanged((await Keys.GetAsync(key)).Limits);
        (await _host.AuditAsync()).Should().NotContain(r => r.Event.Action == AuditAction.KeyLimitsChange);
    }

    [Fact]
    public async Task DashboardLimits_TwoLimitsOnTheSameMetricAndWindow_Are400OnTheTable()
    {
        await _host.SeedAsync("a");

        using var response = await PostFormAsync("/ironcage/keys/openai/a/limits", Caller.RightRoleMfa, [
            new("metric", "requests"), new("window", "day"), new("limit", "10"), new("enforcement", "hard"),
            new("metric", "requests"), new("window", "day"), new("limit", "20"), new("enforcement", "hard")]);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("id=\"limits-error\"").And.Contain("keep one");
    }

    [Fact]
    public async Task DashboardAlerts_Percentages_AreSavedAsFractionsKeepingTheLimits_AndOutOfRangeIsRefusedInItsRow()
    {
        var (key, _) = await _host.SeedAsync("a");
        var limit = new UsageLimit(UsageMetric.Requests, UsageWindow.Day, 100m, LimitEnforcement.Soft);
        await _host.Rotator.ChangeLimitsAsync(key, new UsageLimits { Limits = [limit] });

        using var bad = await PostFormAsync("/ironcage/keys/openai/a/alerts", Caller.RightRoleMfa, [new("alertThresholds", "80, 120")], "/ironcage/usage");
        using var good = await PostFormAsync("/ironcage/keys/openai/a/alerts", Caller.RightRoleMfa, [new("alertThresholds", "90%, 70")], "/ironcage/usage");

        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var html = await bad.Content.ReadAsStringAsync();
        html.Should().Contain("id=\"alerts-openai-a-error\"").And.Contain("&#x27;120&#x27; is not a percentage").And.Contain("<h1>Usage monitoring</h1>");
        InputTag(html, "alerts-openai-a").Should().Contain("value=\"80, 120\"").And.Contain("aria-invalid=\"true\"");
        good.StatusCode.Should().Be(HttpStatusCode.SeeOther);
        good.Headers.Location!.ToString().Should().Be("/ironcage/usage?key=openai%2Fa&notice=alerts");
        var stored = (await Keys.GetAsync(key)).Limits;
        stored.AlertThresholds.Should().Equal(0.7m, 0.9m);
        stored.Limits.Should().Equal(limit);
        (await _host.AuditAsync()).Where(r => r.Event.Action == AuditAction.KeyLimitsChange).Should().HaveCount(2, "the seed's change and the form's");
    }

    [Fact]
    public async Task DashboardDelete_RefusedWhileServedOrUnconfirmed_ThenDeletesARevokedKeyAndAuditsIt()
    {
        var (key, _) = await _host.SeedAsync("a");

        using var served = await PostFormAsync("/ironcage/keys/openai/a/delete", Caller.RightRoleMfa, [new("confirm", "openai/a")]);
        await _host.Rotator.RevokeAsync(key);
        using var unconfirmed = await PostFormAsync("/ironcage/keys/openai/a/delete", Caller.RightRoleMfa, [new("confirm", "openai/b")]);
        using var deleted = await PostFormAsync("/ironcage/keys/openai/a/delete", Caller.RightRoleMfa, [new("confirm", "openai/a")]);

        served.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await served.Content.ReadAsStringAsync()).Should().Contain("still served").And.Contain("Revoke the key");
        unconfirmed.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await unconfirmed.Content.ReadAsStringAsync()).Should().Contain("id=\"confirm-delete-error\"");
        deleted.StatusCode.Should().Be(HttpStatusCode.SeeOther);
        deleted.Headers.Location!.ToString().Should().Be("/ironcage/?notice=deleted");
        (await Keys.FindAsync(key)).Should().BeNull();
        (await _host.AuditAsync()).Should().ContainSingle(r => r.Event.Action == AuditAction.KeyDelete && r.Event.Actor == "olga" && r.Event.Target == "openai/a" && r.Event.IpAddress == RemoteAllowed);
    }

    [Fact]
    public async Task DashboardKeyPage_KilledButNotRevoked_WarnsBeforeDeleteThatTheProviderKeyMayBeLive()
    {
        var (killed, _) = await _host.SeedAsync("killed");
        var (revoked, _) = await _host.SeedAsync("revoked");
        await _host.Rotator.KillAsync(killed, (await Keys.GetAsync(killed)).CurrentVersion!.VersionId);
        await _host.Rotator.RevokeAsync(revoked);

        var killedPage = await GetHtmlAsync("/ironcage/keys/openai/killed");
        var revokedPage = await GetHtmlAsync("/ironcage/keys/openai/revoked");

        killedPage.Should().Contain("id=\"delete-form\"").And.Contain("id=\"delete-unrevoked\"").And.Contain("may still work");
        revokedPage.Should().Contain("id=\"delete-form\"").And.NotContain("id=\"delete-unrevoked\"");
    }

    [Fact]
    public async Task DashboardDelete_RotationUnderWay_Is409AndKeepsTheKey()
    {
        var (key, _) = await _host.SeedAsync("semi", ProviderId.Anthropic);
        await _host.Rotator.RotateAsync(key, RotationReason.Manual);
        await _host.Rotator.KillAsync(key, (await Keys.GetAsync(key)).CurrentVersion!.VersionId);

        using var response = await PostFormAsync("/ironcage/keys/anthropic/semi/delete", Caller.RightRoleMfa, [new("confirm", "anthropic/semi")], "/ironcage/keys/anthropic/semi");

        response.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await response.Content.ReadAsStringAsync()).Should().Contain("A rotation is under way.");
        (await Keys.FindAsync(key)).Should().NotBeNull();
    }

    [Fact]
    public async Task DashboardResume_AfterTheGracePeriodEnded_FinishesTheRotation_AndAnotherKeysOperationIs404()
    {
        var (key, _) = await _host.SeedAsync("a");
        await _host.SeedAsync("b");
        var rotation = await _host.Rotator.RotateAsync(key, RotationReason.Manual);
        using var before = await _host.SendAsync(HttpMethod.Get, "/ironcage/keys/openai/a", Caller.RightRoleMfa);
        (await before.Content.ReadAsStringAsync()).Should().NotContain("Resume now", "inside its grace period there is nothing to resume");
        _host.Clock.Advance(Duration.FromHours(25));
        using var after = await _host.SendAsync(HttpMethod.Get, "/ironcage/keys/openai/a", Caller.RightRoleMfa);
        (await after.Content.ReadAsStringAsync()).Should().Contain("Resume now");

        using var foreign = await PostFormAsync("/ironcage/keys/openai/b/resume", Caller.RightRoleMfa, [new("operationId", rotation.OperationId)]);
        using var resumed = await PostFormAsync("/ironcage/keys/openai/a/resume", Caller.RightRoleNoMfa, [new("operationId", rotation.OperationId)]);

        foreign.StatusCode.Should().Be(HttpStatusCode.NotFound);
        resumed.StatusCode.Should().Be(HttpStatusCode.SeeOther, "resuming needs keys.rotate, not MFA, as POST /rotations/{id}/resume");
        resumed.Headers.Location!.ToString().Should().Be("/ironcage/keys/openai/a?notice=resumed");
        (await _host.Rotator.GetOperationAsync(rotation.OperationId))!.Step.Should().Be(RotationStep.Completed);
        (await _host.AuditAsync()).Should().Contain(r => r.Event.Action == AuditAction.AccessGranted && r.Event.Details["operation"] == "rotations.resume" && r.Event.Details["status"] == "303" && r.Event.Target == "openai/a");
    }

    [Fact]
    public async Task DashboardSupply_ManualTier_RecordsTheRotationWithANoticeAndNeverEchoesTheKey()
    {
        var (key, _) = await _host.SeedAsync("legacy", ProviderId.Groq);
        await _host.Rotator.RotateAsync(key, RotationReason.Manual);
        using var waiting = await _host.SendAsync(HttpMethod.Get, "/ironcage/keys/groq/legacy", Caller.RightRoleMfa);
        (await waiting.Content.ReadAsStringAsync()).Should().Contain("Record the manual rotation");
        var recorded = FakeKeys.GenerateText(ProviderId.Groq);
        _host.Groq.AddExistingKey(SecretValue.FromString(recorded), "made in the console");

        using var response = await PostFormAsync("/ironcage/keys/groq/legacy/supply", Caller.RightRoleMfa, [new("key", recorded)], "/ironcage/keys/groq/legacy");

        response.StatusCode.Should().Be(HttpStatusCode.SeeOther, await response.Content.ReadAsStringAsync());
        response.Headers.Location!.ToString().Should().Be("/ironcage/keys/groq/legacy?notice=recorded");
        (await _host.Services.GetRequiredService<IRotationStore>().FindActiveAsync(key))!.Step.Should().Be(RotationStep.GracePeriod);
        using var page = await _host.SendAsync(HttpMethod.Get, response.Headers.Location.ToString(), Caller.RightRoleMfa);
        var html = await page.Content.ReadAsStringAsync();
        html.Should().Contain("manual rotation was recorded").And.NotContain(recorded);
    }

    [Fact]
    public async Task DashboardKeyList_FiltersAndPages_LikeTheApi_KeepingTheFiltersInThePageLinks()
    {
        await _host.SeedAsync("a");
        await _host.SeedAsync("b");
        await _host.SeedAsync("c");
        await _host.SeedAsync("semi", ProviderId.Anthropic);

        var anthropic = await GetHtmlAsync("/ironcage?provider=anthropic");
        var paged = await GetHtmlAsync("/ironcage?provider=openai&pageSize=2&page=2");
        var revoked = await GetHtmlAsync("/ironcage?stage=revoked");
        using var bogus = await _host.SendAsync(HttpMethod.Get, "/ironcage?stage=bogus", Caller.RightRoleMfa);

        KeyIds(anthropic).Should().Equal("anthropic/semi");
        KeyIds(paged).Should().Equal("openai/c");
        paged.Should().Contain("3 managed keys match the filters, page 2 of 2")
            .And.Contain("href=\"/ironcage/?provider=openai&amp;pageSize=2&amp;page=1\"")
            .And.Contain("<option value=\"openai\" selected>");
        revoked.Should().Contain("No managed key matches the filters.");
        bogus.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bogus.Content.ReadAsStringAsync()).Should().Contain("is not a stage").And.Contain("openai/a", "the list is shown unfiltered by stage");
    }

    private static void ShouldBeUnchanged(UsageLimits limits)
    {
        limits.Limits.Should().BeEmpty();
        limits.AlertThresholds.Should().Equal(UsageLimits.None.AlertThresholds);
    }

    private static string OperationOf(string action) => action switch
    {
        "limits" or "alerts" => "keys.limits",
        "delete" => "keys.delete",
        _ => "rotations.resume",
    };

    private static string InputTag(string html, string id) => Regex.Match(html, $"<input[^>]*id=\"{Regex.Escape(id)}\"[^>]*>").Value;

    private static List<string> KeyIds(string html) => [.. KeyRow().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];

    private IKeyStore Keys => _host.Services.GetRequiredService<IKeyStore>();

    private async Task<string> GetHtmlAsync(string path)
    {
        using var response = await _host.SendAsync(HttpMethod.Get, path, Caller.RightRoleMfa);
        response.StatusCode.Should().Be(HttpStatusCode.OK, path);
        return await response.Content.ReadAsStringAsync();
    }

    private Task<HttpResponseMessage> PostFormAsync(string path, Caller caller, Dictionary<string, string> fields)
        => PostFormAsync(path, caller, [.. fields], "/ironcage/keys/openai/a");

    /// <summary>Posts a form as a browser does: the antiforgery token from a page the same caller loaded (its cookie is in the client's jar).</summary>
    private async Task<HttpResponseMessage> PostFormAsync(string path, Caller caller, KeyValuePair<string, string>[] fields, string formPage = "/ironcage/keys/openai/a")
    {
        // The token belongs to the signed-in identity, so the caller loads the page itself; one who may not read it posts
        // someone else's token (the refusal comes before the token is checked).
        var tokenCaller = caller.Roles.Contains(Operator) ? caller : Caller.RightRoleMfa;
        using var form = await _forms.SendAsync(Request(HttpMethod.Get, formPage, tokenCaller));
        var token = Token().Match(await form.Content.ReadAsStringAsync());
        token.Success.Should().BeTrue($"{formPage} has a form with an antiforgery token");
        return await _forms.SendAsync(Request(HttpMethod.Post, path, caller, new FormUrlEncodedContent([.. fields, new(token.Groups[1].Value, WebUtility.HtmlDecode(token.Groups[2].Value))])));
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]+)\">")]
    private static partial Regex Token();

    [GeneratedRegex("<tr><th scope=\"row\"><a href=\"[^\"]+\">([^<]+)</a></th>")]
    private static partial Regex KeyRow();
}
