using System.Net;
using System.Text.RegularExpressions;
using IronCage.Auditing;
using static IronCage.AspNetCore.Tests.AdminTestHost;

namespace IronCage.AspNetCore.Tests;

/// <summary>
/// The dashboard over HTTP on the admin API's test host: the same secure default, the same access decisions and audit
/// as the API, security headers, embedded assets only. (The browser scenario is in IronCage.Dashboard.Tests.)
/// </summary>
public sealed partial class DashboardAccessTests
{
    private static readonly string[] Pages = ["/ironcage", "/ironcage/usage", "/ironcage/debt", "/ironcage/security", "/ironcage/audit", "/ironcage/keys/openai/a"];

    [Fact]
    public async Task Dashboard_NoPolicyConfigured_AnswersLoopbackAndRefusesRemoteCallersWithTheFix()
    {
        await using var host = await StartAsync(configurePolicies: false);
        await host.SeedAsync("a");

        using var local = await host.SendAsync(HttpMethod.Get, "/ironcage", Caller.LocalAnonymous);
        using var remote = await host.SendAsync(HttpMethod.Get, "/ironcage", Caller.RemoteNoPolicy);

        local.StatusCode.Should().Be(HttpStatusCode.OK);
        (await local.Content.ReadAsStringAsync()).Should().Contain("loopback only").And.Contain("openai/a");
        remote.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await remote.Content.ReadAsStringAsync()).Should().Contain("answers only loopback requests").And.Contain("Register an authorization policy named");
        var denied = (await host.AuditAsync()).Where(r => r.Event.Action == AuditAction.AccessDenied).ToList();
        denied.Should().ContainSingle(r => r.Event.IpAddress == RemoteDisallowed && r.Event.Details["operation"] == "keys.list" && r.Event.Details["status"] == "403");
    }

    [Theory]
    [InlineData("anonymous", 401)]
    [InlineData("wrong role", 403)]
    [InlineData("disallowed IP", 403)]
    [InlineData("right role without MFA", 200)]
    public async Task DashboardPages_Callers_AreDecidedAndAuditedAsTheApiDecides(string label, int expected)
    {
        await using var host = await StartAsync(access: o => o.RateLimitPermits = 10_000);
        await host.SeedAsync("a");
        var caller = new[] { Caller.Anonymous, Caller.WrongRole, Caller.DisallowedIp, Caller.RightRoleNoMfa }.Single(c => c.Label == label);

        foreach (var path in Pages)
        {
            using var response = await host.SendAsync(HttpMethod.Get, path, caller);
            ((int)response.StatusCode).Should().Be(expected, path);
        }

        var attempts = (await host.AuditAsync()).Where(r => r.Event.Action == AuditAction.AccessGranted || r.Event.Action == AuditAction.AccessDenied).ToList();
        attempts.Should().HaveCount(Pages.Length, "every page request is one audited attempt");
        attempts.Should().OnlyContain(r => r.Event.Details["status"] == expected.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task DashboardPages_RightRole_SendSecurityHeadersAndUseOnlyEmbeddedAssets()
    {
        await using var host = await StartAsync(access: o => o.RateLimitPermits = 10_000);
        var (_, secret) = await host.SeedAsync("a");

        foreach (var path in Pages)
        {
            using var response = await host.SendAsync(HttpMethod.Get, path, Caller.RightRoleMfa);
            var html = await response.Content.ReadAsStringAsync();

            response.StatusCode.Should().Be(HttpStatusCode.OK, path);
            response.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("default-src 'none'").And.Contain("script-src 'self'");
            response.Headers.GetValues("X-Frame-Options").Single().Should().Be("DENY");
            response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
            ExternalAsset().IsMatch(html).Should().BeFalse($"{path} loads nothing from another origin");
            html.Should().NotContain(secret.Reveal());
        }

        foreach (var asset in new[] { "dashboard.css", "dashboard.js" })
        {
            using var response = await host.SendAsync(HttpMethod.Get, "/ironcage/assets/" + asset, Caller.Anonymous);
            var text = await response.Content.ReadAsStringAsync();
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            text.Should().NotContain("http://").And.NotContain("https://").And.NotContain("@import");
        }
    }

    [Fact]
    public async Task DashboardForm_ReadOnlyMode_IsRefusedBeforeAnythingChanges()
    {
        await using var host = await StartAsync(access: o => o.ReadOnly = true);
        await host.SeedAsync("a");

        using var response = await host.SendAsync(HttpMethod.Post, "/ironcage/keys/openai/a/rotate", Caller.RightRoleMfa, new FormUrlEncodedContent(new Dictionary<string, string> { ["reason"] = "manual" }));

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync()).Should().Contain("read-only");
        (await host.AuditAsync()).Should().NotContain(r => r.Event.Action == AuditAction.KeyRotate);
    }

    [GeneratedRegex("<(script|link|img)[^>]+(src|href)=\"(https?:)?//", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalAsset();
}
