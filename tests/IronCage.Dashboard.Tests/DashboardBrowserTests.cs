using System.Net;
using System.Net.Http.Headers;
using IronCage.Auditing;
using IronCage.Rotation;
using IronCage.Samples.AdminHost;
using IronCage.Storage;
using IronCage.Testing;
using IronCage.Testing.Emulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace IronCage.Dashboard.Tests;

/// <summary>
/// The dashboard in a real browser: Debian's headless Chromium driven by Playwright against the admin host sample on
/// Kestrel (127.0.0.1:0), cookie sign-in, the OpenAI emulator as provider. Every page is screenshotted to
/// TestResults/screenshots, and every HTML document the browser received is searched for every key value the run made.
/// </summary>
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
    private readonly List<Task<string>> _documents = [];
    private readonly List<string> _rendered = [];
    private readonly string _screenshots = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");
    private AdminHost _host = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    // Waits, not timed asserts: generous so a loaded CI machine waits longer instead of failing.
    private const float WaitMilliseconds = 120_000;

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(WaitMilliseconds);
        Directory.CreateDirectory(_screenshots);
        _host = await AdminHost.StartAsync([]);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Dashboard_OperatorScenario_AddsRotatesRevokesChartsAndVerifiesTheAuditChain()
    {
        var bob = await SignInAsync("bob");
        await ShotAsync(bob, "02-keys");
        (await bob.TextContentAsync("#key-list")).Should().Contain("openai/prod").And.Contain("groq/legacy");

        // A key with the wrong prefix: the live format check says so before submitting, the server refuses it, and
        // the re-rendered form keeps the other fields but never the key.
        var anthropicKey = FakeKeys.GenerateText(ProviderId.Anthropic);
        await bob.FillAsync("#name", "batch");
        await bob.FillAsync("#key", anthropicKey);
        await Assertions.Expect(bob.Locator("#key-format")).ToContainTextAsync("does not match");
        (await bob.TextContentAsync("#key-format")).Should().Contain("Anthropic");
        await ShotAsync(bob, "03-format-check");
        await bob.ClickAsync("#key-form button[type=submit]");
        await Assertions.Expect(bob.Locator("#key-error")).ToContainTextAsync("anthropic");
        (await bob.InputValueAsync("#key")).Should().BeEmpty("the key is never echoed into the form");
        (await bob.InputValueAsync("#name")).Should().Be("batch");
        (await bob.GetAttributeAsync("#key", "aria-invalid")).Should().Be("true");
        await ShotAsync(bob, "04-wrong-prefix");

        // A valid key: verified at the emulator, stored, shown by its hint only.
        var batch = _host.Emulator.OpenAI.AddProjectKey("batch");
        await bob.FillAsync("#name", "batch");
        await bob.FillAsync("#key", batch.Secret);
        await Assertions.Expect(bob.Locator("#key-format")).ToContainTextAsync("matches OpenAI");
        await bob.FillAsync("#scope", "project_id=" + EmulatorConstants.OpenAIProjectId);
        await bob.FillAsync("#providerKeyId", batch.Id);
        await bob.ClickAsync("#key-form button[type=submit]");
        await ExpectUrlAsync(bob, "**/ironcage/keys/openai/batch?notice=created", "05-key-added-failed");
        await Assertions.Expect(bob.Locator(".notice")).ToContainTextAsync("stored encrypted");
        await ShotAsync(bob, "05-key-added");

        // Rotate: the history shows the state machine at its grace period...
        await bob.ClickAsync("button:has-text('Rotate now')");
        await bob.WaitForURLAsync("**/keys/openai/batch?notice=rotated");
        await Assertions.Expect(bob.Locator(".operation[data-step='GracePeriod'] .step.current")).ToHaveTextAsync("Grace period (current)");
        await Assertions.Expect(bob.Locator("#key-versions")).ToContainTextAsync("Previous");
        await ShotAsync(bob, "06-rotating");

        // ...and when the grace period ends elsewhere (the scheduler, another operator), the page follows live, without reloading.
        await bob.EvaluateAsync("() => { window.__notReloaded = true; }");
        await _host.Services.GetRequiredService<IKeyRotator>().CompleteGraceAsync(KeyReference.Parse("openai/batch"));
        await Assertions.Expect(bob.Locator(".operation[data-step='Completed']")).ToBeVisibleAsync();
        await Assertions.Expect(bob.Locator("#key-versions")).ToContainTextAsync("Revoked");
        (await bob.EvaluateAsync<bool>("() => window.__notReloaded === true")).Should().BeTrue("the history updated in place");
        await ShotAsync(bob, "07-rotation-completed-live");

        // Revoke without MFA: refused with the reason and the fix, and audited.
        bob.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await bob.ClickAsync("button:has-text('Revoke now')");
        await Assertions.Expect(bob.Locator("h1")).ToHaveTextAsync("Access denied");
        await Assertions.Expect(bob.Locator(".alert")).ToContainTextAsync("multi-factor");
        await ShotAsync(bob, "08-revoke-without-mfa");

        // Revoke with MFA (alice signed in with a second factor).
        var alice = await SignInAsync("alice", screenshot: false);
        await GotoAsync(alice, "/ironcage/keys/openai/batch");
        alice.Dialog += (_, dialog) => _ = dialog.AcceptAsync();
        await alice.ClickAsync("button:has-text('Revoke now')");
        await alice.WaitForURLAsync("**/keys/openai/batch?notice=revoked");
        await Assertions.Expect(alice.Locator(".notice")).ToContainTextAsync("revoked");
        await Assertions.Expect(alice.Locator("dl.summary").First).ToContainTextAsync("killed");
        (await alice.Locator("#key-versions tbody tr").AllTextContentsAsync()).Should().OnlyContain(row => row.Contains("no"), "no version is served after the revocation");
        await ShotAsync(alice, "09-revoked-with-mfa");
        _host.Emulator.OpenAI.IsValid(batch.Secret).Should().BeFalse("the original key was revoked at the provider by the rotation");

        // Usage: daily and monthly charts, current vs projected, by provider and model.
        await GotoAsync(alice, "/ironcage/usage");
        (await alice.Locator("#chart-daily svg rect.bar").CountAsync()).Should().Be(30);
        (await alice.Locator("#chart-monthly svg rect.bar").CountAsync()).Should().BeGreaterThan(0);
        await Assertions.Expect(alice.Locator("#cost-by-model")).ToContainTextAsync("gpt-4o-mini");
        await Assertions.Expect(alice.Locator("#cost-projection")).ToContainTextAsync("openai/prod");
        await ShotAsync(alice, "10-usage");

        // Rotation debt: the manual-tier key with its console link.
        await GotoAsync(alice, "/ironcage/debt");
        await Assertions.Expect(alice.Locator("#rotation-debt")).ToContainTextAsync("groq/legacy");
        (await alice.GetAttributeAsync("#rotation-debt a[target=_blank]", "href")).Should().StartWith("https://console.groq.com");
        await ShotAsync(alice, "11-rotation-debt");

        // Security settings: who may do what.
        await GotoAsync(alice, "/ironcage/security");
        await Assertions.Expect(alice.Locator("#access-control")).ToContainTextAsync("keys.revoke");
        await ShotAsync(alice, "12-security");

        // The audit log: search, then verify the chain.
        await GotoAsync(alice, "/ironcage/audit");
        await alice.FillAsync("#q", "bob");
        await alice.SelectOptionAsync("#action", "access.denied");
        await alice.ClickAsync("button:has-text('Search')");
        await Assertions.Expect(alice.Locator("#audit-log")).ToContainTextAsync("operation=keys.revoke");
        await alice.ClickAsync("button:has-text('Verify chain')");
        await Assertions.Expect(alice.Locator("#verify-result")).ToContainTextAsync("Chain valid");
        await ShotAsync(alice, "13-audit");

        // Bob cannot open the security settings (admin permission).
        await GotoAsync(bob, "/ironcage/security");
        await Assertions.Expect(bob.Locator("h1")).ToHaveTextAsync("Access denied");

        await AssertNoKeyInAnyPageAsync(batch.Secret, anthropicKey);

        // Every attempt was audited, the refused one too.
        var denied = new List<AuditRecord>();
        await foreach (var record in _host.Services.GetRequiredService<IAuditLog>().ReadAsync())
        {
            if (record.Event.Action == AuditAction.AccessDenied && record.Event.Actor == "bob")
            {
                denied.Add(record);
            }
        }

        denied.Select(r => r.Event.Details["operation"]).Should().Contain(["keys.revoke", "settings.access"]);
    }

    [Fact]
    public async Task Dashboard_SettingsScenario_FiltersPagesEditsLimitsAndAlertsResumesAPausedRevocationAndDeletesAKey()
    {
        var prod = KeyReference.Parse("openai/prod");
        var keys = _host.Services.GetRequiredService<IKeyStore>();
        var alice = await SignInAsync("alice", screenshot: false);
        alice.Dialog += (_, dialog) => _ = dialog.AcceptAsync();

        // Paging keeps its state in the query string: one key per page, page 2 by the pager's link.
        await GotoAsync(alice, "/ironcage?pageSize=1");
        await Assertions.Expect(alice.Locator("#key-list caption")).ToContainTextAsync("page 1 of 2");
        await alice.ClickAsync(".pager a:has-text('Next page')");
        await alice.WaitForURLAsync("**/ironcage/?pageSize=1&page=2");
        (await alice.TextContentAsync("#key-list tbody")).Should().Contain("openai/prod").And.NotContain("groq/legacy");
        await Assertions.Expect(alice.Locator(".pager a[aria-current=page]")).ToHaveTextAsync("Page 2");
        await ShotAsync(alice, "20-key-list-paged");

        // Filters from the keyboard: choose the provider, then Enter in the label field submits the GET form.
        await GotoAsync(alice, "/ironcage");
        await alice.Locator("#filter-provider").SelectOptionAsync("groq");
        await alice.Locator("#filter-label").FocusAsync();
        await alice.Keyboard.PressAsync("Enter");
        await alice.WaitForURLAsync("**/ironcage/?provider=groq&label=*");
        (await alice.TextContentAsync("#key-list tbody")).Should().Contain("groq/legacy").And.NotContain("openai/prod");
        (await alice.InputValueAsync("#filter-provider")).Should().Be("groq", "the form shows the filter it applied");
        await ShotAsync(alice, "21-key-list-filtered");
        await GotoAsync(alice, "/ironcage?stage=revoked");
        await Assertions.Expect(alice.Locator("#key-list-empty")).ToHaveTextAsync("No managed key matches the filters.");
        await alice.ClickAsync("a:has-text('Clear filters')");
        await Assertions.Expect(alice.Locator("#key-list tbody tr")).ToHaveCountAsync(2);

        // Limits need MFA: bob (password only) is refused, nothing changes.
        var bob = await SignInAsync("bob", screenshot: false);
        await GotoAsync(bob, "/ironcage/keys/openai/prod");
        await bob.FillAsync("#limit-0", "1000");
        await bob.ClickAsync("button:has-text('Save limits')");
        await Assertions.Expect(bob.Locator("h1")).ToHaveTextAsync("Access denied");
        await Assertions.Expect(bob.Locator(".alert")).ToContainTextAsync("multi-factor");
        (await keys.GetAsync(prod)).Limits.Limits.Should().BeEmpty();

        // A bad value is refused next to its field, the posted row kept; a good one is saved.
        await GotoAsync(alice, "/ironcage/keys/openai/prod");
        await alice.SelectOptionAsync("#metric-0", "tokens");
        await alice.SelectOptionAsync("#window-0", "day");
        await alice.SelectOptionAsync("#enforcement-0", "hard");
        await alice.FillAsync("#limit-0", "-5");
        await alice.ClickAsync("button:has-text('Save limits')");
        await Assertions.Expect(alice.Locator("#limit-0-error")).ToContainTextAsync("not a number above zero");
        (await alice.GetAttributeAsync("#limit-0", "aria-invalid")).Should().Be("true");
        (await alice.InputValueAsync("#limit-0")).Should().Be("-5");
        (await alice.InputValueAsync("#metric-0")).Should().Be("tokens");
        await ShotAsync(alice, "22-limit-invalid");
        await alice.FillAsync("#limit-0", "250000");
        await alice.ClickAsync("button:has-text('Save limits')");
        await alice.WaitForURLAsync("**/keys/openai/prod?notice=limits");
        await Assertions.Expect(alice.Locator(".notice")).ToContainTextAsync("usage limits were saved");
        (await alice.InputValueAsync("#limit-0")).Should().Be("250000");
        (await alice.InputValueAsync("#limit-1")).Should().BeEmpty("an empty row adds the next limit");
        await ShotAsync(alice, "23-limit-saved");
        (await keys.GetAsync(prod)).Limits.Limits.Should().Equal(new UsageLimit(UsageMetric.Tokens, UsageWindow.Day, 250000m, LimitEnforcement.Hard));

        // Alert thresholds on the usage page: out of range refused in its row, then saved.
        await GotoAsync(alice, "/ironcage/usage");
        await alice.FillAsync("#alerts-openai-prod", "150");
        await alice.ClickAsync("form:has(#alerts-openai-prod) button");
        await Assertions.Expect(alice.Locator("#alerts-openai-prod-error")).ToContainTextAsync("percentage");
        await ShotAsync(alice, "24-alert-invalid");
        await alice.FillAsync("#alerts-openai-prod", "50, 90");
        await alice.ClickAsync("form:has(#alerts-openai-prod) button");
        await alice.WaitForURLAsync("**/ironcage/usage?key=openai%2Fprod&notice=alerts");
        (await alice.InputValueAsync("#alerts-openai-prod")).Should().Be("50, 90");
        await ShotAsync(alice, "25-alerts-saved");
        (await keys.GetAsync(prod)).Limits.AlertThresholds.Should().Equal(0.5m, 0.9m);

        // Resume: the provider fails the old key's revocation, so the rotation pauses with the reason and its retry time...
        await GotoAsync(alice, "/ironcage/keys/openai/prod");
        await alice.ClickAsync("button:has-text('Rotate now')");
        await alice.WaitForURLAsync("**/keys/openai/prod?notice=rotated");
        _host.Emulator.OpenAI.FailNext(500, times: 100, pathContains: "/api_keys/");
        await alice.ClickAsync("button:has-text('End grace now')");
        await alice.WaitForURLAsync("**/keys/openai/prod?notice=grace-ended-paused");
        await Assertions.Expect(alice.Locator(".operation .deferred")).ToContainTextAsync("Paused after attempt 1");
        await Assertions.Expect(alice.Locator("button:has-text('Resume now')")).ToHaveCountAsync(0);
        await ShotAsync(alice, "26-revocation-paused");

        // ...the provider recovers and the retry time comes (the sample runs no scheduler, so nothing resumes it on its own).
        _host.Emulator.OpenAI.ClearFaults();
        var operations = _host.Services.GetRequiredService<IRotationStore>();
        var paused = (await operations.FindActiveAsync(prod))!;
        await operations.UpdateAsync(paused with { NextAttemptAt = _host.Services.GetRequiredService<NodaTime.IClock>().GetCurrentInstant() - NodaTime.Duration.FromSeconds(1) });
        await alice.ReloadAsync();
        await alice.ClickAsync("button:has-text('Resume now')");
        await alice.WaitForURLAsync("**/keys/openai/prod?notice=resumed");
        await Assertions.Expect(alice.Locator($".operation[data-operation='{paused.OperationId}']")).ToHaveAttributeAsync("data-step", "Completed");
        await ShotAsync(alice, "27-resumed");

        // Delete: offered only once nothing is served; the confirmation is typed.
        await Assertions.Expect(alice.Locator("#delete-heading + .hint")).ToContainTextAsync("still served");
        await alice.ClickAsync("button:has-text('Revoke now')");
        await alice.WaitForURLAsync("**/keys/openai/prod?notice=revoked");
        await alice.FillAsync("#confirm-delete", "openai/pro");
        await alice.ClickAsync("button:has-text('Delete key')");
        await Assertions.Expect(alice.Locator("#confirm-delete-error")).ToContainTextAsync("Type openai/prod exactly");
        await ShotAsync(alice, "28-delete-unconfirmed");
        (await keys.FindAsync(prod)).Should().NotBeNull();
        await alice.FillAsync("#confirm-delete", "openai/prod");
        await alice.ClickAsync("button:has-text('Delete key')");
        await alice.WaitForURLAsync("**/ironcage/?notice=deleted");
        await Assertions.Expect(alice.Locator(".notice")).ToContainTextAsync("deleted");
        (await alice.TextContentAsync("#key-list tbody")).Should().NotContain("openai/prod");
        await ShotAsync(alice, "29-key-deleted");
        (await keys.FindAsync(prod)).Should().BeNull();

        // Audited: the limits and thresholds changes, the deletion, and bob's refused attempt.
        var records = new List<AuditRecord>();
        await foreach (var record in _host.Services.GetRequiredService<IAuditLog>().ReadAsync())
        {
            records.Add(record);
        }

        records.Where(r => r.Event.Action == AuditAction.KeyLimitsChange && r.Event.Actor == "alice").Should().HaveCount(2);
        records.Should().ContainSingle(r => r.Event.Action == AuditAction.KeyDelete && r.Event.Actor == "alice" && r.Event.Target == "openai/prod");
        records.Should().Contain(r => r.Event.Action == AuditAction.AccessDenied && r.Event.Actor == "bob" && r.Event.Details["operation"] == "keys.limits");
        records.Should().Contain(r => r.Event.Action == AuditAction.AccessGranted && r.Event.Actor == "alice" && r.Event.Details["operation"] == "rotations.resume");

        await AssertNoKeyInAnyPageAsync();
    }

    [Fact]
    public async Task DashboardForm_WithoutAntiforgeryToken_Is400AndChangesNothing()
    {
        using var http = new HttpClient { BaseAddress = _host.Address };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ironcage/keys/openai/prod/rotate") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["reason"] = "manual" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _host.IssueToken("alice"));

        using var response = await http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("antiforgery");
        var operations = _host.Services.GetRequiredService<IRotationStore>().ListForKeyAsync(KeyReference.Parse("openai/prod"));
        (await operations.CountAsync()).Should().Be(0);
    }

    [Fact]
    public async Task Dashboard_NoSession_RedirectsToTheHostsSignInPage()
    {
        var page = await NewPageAsync();

        await GotoAsync(page, "/ironcage/usage");

        page.Url.Should().Contain("/signin?ReturnUrl=%2Fironcage%2Fusage");
        await ShotAsync(page, "01-signin");
    }

    /// <summary>No key value in any document the browser received, nor in any DOM it rendered.</summary>
    private async Task AssertNoKeyInAnyPageAsync(params string[] values)
    {
        var documents = await Task.WhenAll(_documents);
        foreach (var document in documents)
        {
            SecretLeakRegistry.Shared.Capture("dashboard HTML " + document);
        }

        foreach (var dom in _rendered)
        {
            SecretLeakRegistry.Shared.Capture("dashboard DOM " + dom);
        }

        var all = string.Join('\n', _rendered.Concat(documents));
        foreach (var value in values)
        {
            all.Should().NotContain(value);
        }

        SecretLeakRegistry.Shared.FindLeaks().Should().BeEmpty();
    }

    private async Task<IPage> SignInAsync(string user, bool screenshot = true)
    {
        var page = await NewPageAsync();
        await GotoAsync(page, "/ironcage");
        await page.SelectOptionAsync("#user", user);
        await page.FillAsync("#password", DemoUsers.Password);
        if (screenshot)
        {
            await ShotAsync(page, "01-signin");
        }

        await page.ClickAsync("button:has-text('Sign in')");
        await page.WaitForURLAsync("**/ironcage");
        return page;
    }

    private async Task<IPage> NewPageAsync()
    {
        var context = await _browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        context.SetDefaultTimeout(WaitMilliseconds);
        context.SetDefaultNavigationTimeout(WaitMilliseconds);
        var page = await context.NewPageAsync();
        page.Response += (_, response) =>
        {
            if (response.Headers.TryGetValue("content-type", out var type) && type.StartsWith("text/html", StringComparison.Ordinal))
            {
                lock (_documents)
                {
                    _documents.Add(BodyAsync(page, response));
                }
            }
        };
        return page;
    }

    /// <summary>
    /// The document's body. Chromium drops the body of a page the test navigated away from before Playwright read it; a
    /// dashboard GET is read-only, so that page is fetched again with the same context (its cookies) instead.
    /// </summary>
    private static async Task<string> BodyAsync(IPage page, IResponse response)
    {
        try
        {
            return await response.TextAsync();
        }
        catch (PlaywrightException ex) when (ex.Message.Contains("navigated away", StringComparison.Ordinal) && response.Request.Method == "GET")
        {
            var again = await page.Context.APIRequest.GetAsync(response.Url);
            return await again.TextAsync();
        }
    }

    private async Task GotoAsync(IPage page, string path) => await page.GotoAsync(new Uri(_host.Address, path).ToString());

    // A wait for the page a form leads to that, when it does not come, says where the browser is and what the page
    // shows (its alerts and notices) instead of only that the wait timed out, and keeps a screenshot of it.
    private async Task ExpectUrlAsync(IPage page, string pattern, string failureShot)
    {
        try
        {
            await page.WaitForURLAsync(pattern);
        }
        catch (TimeoutException timeout)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(_screenshots, failureShot + ".png"), FullPage = true });
            var shown = string.Join(" | ", await page.Locator(".alert, .notice, .field-error, h1").AllInnerTextsAsync());
            throw new TimeoutException($"Expected {pattern}; the browser is at {page.Url}, showing: {shown}", timeout);
        }
    }

    private async Task ShotAsync(IPage page, string name)
    {
        _rendered.Add(await page.ContentAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(_screenshots, name + ".png"), FullPage = true });
    }
}
