using System.Net;
using System.Net.Http.Headers;
using IronCage.Auditing;
using IronCage.Rotation;
using IronCage.Samples.AdminHost;
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
        await bob.WaitForURLAsync("**/ironcage/keys/openai/batch?notice=created");
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

        // No key value in any document the browser received, nor in any DOM it rendered.
        foreach (var document in await Task.WhenAll(_documents))
        {
            SecretLeakRegistry.Shared.Capture("dashboard HTML " + document);
        }

        foreach (var dom in _rendered)
        {
            SecretLeakRegistry.Shared.Capture("dashboard DOM " + dom);
        }

        var all = string.Join('\n', _rendered.Concat(await Task.WhenAll(_documents)));
        all.Should().NotContain(batch.Secret).And.NotContain(anthropicKey);
        SecretLeakRegistry.Shared.FindLeaks().Should().BeEmpty();

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

    private async Task ShotAsync(IPage page, string name)
    {
        _rendered.Add(await page.ContentAsync());
        await page.ScreenshotAsync(new() { Path = Path.Combine(_screenshots, name + ".png"), FullPage = true });
    }
}
