using System.Net;
using System.Net.Http.Json;
using IronCage.AspNetCore.Authorization;
using IronCage.Auditing;
using IronCage.Rotation;
using IronCage.Storage;
using IronCage.Testing;
using Microsoft.Extensions.DependencyInjection;
using static IronCage.AspNetCore.Tests.AdminTestHost;

namespace IronCage.AspNetCore.Tests;

/// <summary>
/// Every admin route × every kind of caller → the status it gets and the access record it leaves. Denied callers never
/// reach the handler (nothing changes); allowed callers reach it (any status but 401/403/429).
/// </summary>
public sealed class AuthorizationMatrixTests
{
    private const string Key = "/api/admin/api-keys/openai/matrix";

    /// <summary>Every route: method, path, body, operation name, whether it needs MFA.</summary>
    public static readonly (HttpMethod Method, string Path, object? Body, string Operation, bool Mfa)[] Routes =
    [
        (HttpMethod.Get, "/api/admin/api-keys", null, "keys.list", false),
        (HttpMethod.Post, "/api/admin/api-keys", new { provider = "openai", name = "other", key = "sk-proj-not-a-real-key" }, "keys.create", false),
        (HttpMethod.Get, Key, null, "keys.get", false),
        (HttpMethod.Post, Key + "/verify", null, "keys.verify", false),
        (HttpMethod.Get, Key + "/usage", null, "keys.usage", false),
        (HttpMethod.Get, Key + "/rotations", null, "keys.rotations", false),
        (HttpMethod.Put, Key + "/policy", new { rotationSchedule = "P90D" }, "keys.policy", false),
        (HttpMethod.Put, Key + "/rotate", null, "keys.rotate", false),
        (HttpMethod.Put, Key + "/rotate?reason=compromised", null, "keys.rotate", true),
        (HttpMethod.Put, Key + "/rotate?reason=Compromised&revokeFirst=TRUE", null, "keys.rotate", true),
        (HttpMethod.Post, Key + "/supply", new { key = "sk-proj-not-a-real-key" }, "keys.supply", false),
        (HttpMethod.Put, Key + "/limits", new { alertThresholds = new[] { 0.9 } }, "keys.limits", true),
        (HttpMethod.Post, Key + "/kill", null, "keys.kill", true),
        (HttpMethod.Post, Key + "/revoke", null, "keys.revoke", true),
        (HttpMethod.Delete, Key, null, "keys.delete", true),
        (HttpMethod.Get, "/api/admin/rotations/plan", null, "rotations.plan", false),
        (HttpMethod.Get, "/api/admin/rotation-debt", null, "rotations.debt", false),
        (HttpMethod.Get, "/api/admin/rotations/rot_x", null, "rotations.get", false),
        (HttpMethod.Post, "/api/admin/rotations/rot_x/cancel", null, "rotations.cancel", false),
        (HttpMethod.Post, "/api/admin/rotations/rot_x/resume", null, "rotations.resume", false),
        (HttpMethod.Post, "/api/admin/rotations/rot_x/complete-grace", null, "rotations.complete-grace", true),
        (HttpMethod.Get, "/api/admin/audit", null, "audit.list", false),
        (HttpMethod.Post, "/api/admin/audit/verify", null, "audit.verify", false),
        (HttpMethod.Get, "/api/admin/usage/report", null, "usage.report", false),
        (HttpMethod.Get, "/api/admin/alerts", null, "settings.alerts", false),
        (HttpMethod.Get, "/api/admin/access", null, "settings.access", false),
    ];

    [Fact]
    public async Task EveryRoute_EveryCaller_GetsItsStatusAndLeavesAnAccessRecord()
    {
        await using var host = await StartAsync(access: o => o.RateLimitPermits = 10_000);
        await host.SeedAsync("matrix");
        var cells = new List<string>();
        foreach (var route in Routes)
        {
            foreach (var (caller, expected) in new[]
            {
                (Caller.Anonymous, HttpStatusCode.Unauthorized),
                (Caller.WrongRole, HttpStatusCode.Forbidden),
                (Caller.DisallowedIp, HttpStatusCode.Forbidden),
                (Caller.RightRoleNoMfa, route.Mfa ? HttpStatusCode.Forbidden : (HttpStatusCode?)null),
            })
            {
                cells.Add(await CheckAsync(host, route, caller, expected));
            }
        }

        // Allowed callers last: their calls change the key (rotate, revoke, delete).
        foreach (var route in Routes)
        {
            cells.Add(await CheckAsync(host, route, Caller.RightRoleMfa, null));
        }

        cells.Where(c => c.Length > 0).Should().BeEmpty();
        (await host.Audit.VerifyAsync()).IsValid.Should().BeTrue();
    }

    [Fact]
    public async Task EveryRoute_NoPolicyConfigured_AnswersLoopbackOnly()
    {
        await using var host = await StartAsync(configurePolicies: false, access: o => o.RateLimitPermits = 10_000);
        await host.SeedAsync("matrix");
        var cells = new List<string>();
        foreach (var route in Routes)
        {
            cells.Add(await CheckAsync(host, route, Caller.RemoteNoPolicy, HttpStatusCode.Forbidden, "AddPolicy"));
        }

        foreach (var route in Routes)
        {
            cells.Add(await CheckAsync(host, route, Caller.LocalAnonymous, null));
        }

        cells.Where(c => c.Length > 0).Should().BeEmpty();
        var local = (await host.AuditAsync()).Where(r => r.Event.Action == AuditAction.AccessGranted).ToList();
        local.Should().OnlyContain(r => r.Event.Actor == "local" && r.Event.IpAddress == "127.0.0.1");
    }

    [Theory]
    [InlineData("reason=2")]
    [InlineData("reason=%20compromised")]
    [InlineData("reason=compromised%20")]
    [InlineData("reason=manual&reason=compromised")]
    [InlineData("reason=compromised&revokeFirst=%20true")]
    [InlineData("revokeFirst=1")]
    [InlineData("revokeFirst=true")]
    public async Task Rotate_EmergencySpelledAnotherWay_WithoutMfa_NeverRotates(string query)
    {
        // Whatever the MFA decision does not read as an emergency, the handler refuses: nothing rotates without MFA.
        await using var host = await StartAsync(access: o => o.RateLimitPermits = 10_000);
        await host.SeedAsync("matrix");
        var before = await host.Services.GetRequiredService<IKeyStore>().GetAsync(KeyReference.Parse("openai/matrix"));

        using var response = await host.SendAsync(HttpMethod.Put, $"{Key}/rotate?{query}", Caller.RightRoleNoMfa);

        ((int)response.StatusCode).Should().BeOneOf(400, 403);
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            (await response.Content.ReadAsStringAsync()).Should().Contain("\"errors\"");
        }

        (await host.Services.GetRequiredService<IKeyStore>().GetAsync(KeyReference.Parse("openai/matrix"))).Versions.Should().HaveCount(before.Versions.Count);
        (await host.Services.GetRequiredService<IRotationStore>().FindActiveAsync(KeyReference.Parse("openai/matrix"))).Should().BeNull();
    }

    [Fact]
    public async Task SomePoliciesConfigured_APermissionWithoutOne_IsClosedEvenToLoopback()
    {
        // Only keys.read is mapped: revoke has no policy (and there is no admin policy), so a local caller is refused too.
        await using var host = await StartAsync(access: o => o.RateLimitPermits = 10_000, onlyPolicies: [AdminPermissions.KeysRead]);
        await host.SeedAsync("matrix");

        using var revoke = await host.SendAsync(HttpMethod.Post, Key + "/revoke", Caller.LocalAnonymous);
        using var read = await host.SendAsync(HttpMethod.Get, Key, Caller.RightRoleMfa);

        revoke.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await revoke.Content.ReadAsStringAsync()).Should().Contain("keys.revoke").And.Contain("AddPolicy");
        read.StatusCode.Should().Be(HttpStatusCode.OK);
        (await host.Services.GetRequiredService<IKeyStore>().GetAsync(KeyReference.Parse("openai/matrix"))).CurrentVersion.Should().NotBeNull();
        (await host.AuditAsync()).Should().Contain(r => r.Event.Action == AuditAction.AccessDenied && r.Event.Target == "openai/matrix" && r.Event.Details.GetValueOrDefault("operation") == "keys.revoke");
    }

    [Fact]
    public async Task UnexpectedFailure_IsAudited_AndAnswered500WithoutItsMessage()
    {
        await using var host = await StartAsync(access: o => o.RateLimitPermits = 10_000);
        await host.SeedAsync("matrix");
        host.OpenAI.On(FakeProviderOperation.Verify).Throw(new InvalidOperationException("driver detail that is not IronCage's to show"));

        using var response = await host.SendAsync(HttpMethod.Post, Key + "/verify", Caller.RightRoleMfa);

        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await response.Content.ReadAsStringAsync()).Should().Contain("InvalidOperationException").And.NotContain("driver detail");
        (await host.AuditAsync()).Should().Contain(r => r.Event.Details.GetValueOrDefault("operation") == "keys.verify" && r.Event.Details.GetValueOrDefault("status") == "500" && r.Event.Outcome == AuditOutcome.Failure);
    }

    [Fact]
    public async Task UnreadableQueryValue_OutsideDevelopment_IsAProblemDetails_AuditedAsRefused()
    {
        await using var host = await StartAsync(access: o => o.RateLimitPermits = 10_000, environment: "Production");

        using var response = await host.SendAsync(HttpMethod.Get, "/api/admin/api-keys?page=abc", Caller.RightRoleMfa);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await response.Content.ReadAsStringAsync()).Should().Contain("could not be read").And.Contain("page");
        (await host.AuditAsync()).Should().Contain(r => r.Event.Details.GetValueOrDefault("operation") == "keys.list" && r.Event.Details.GetValueOrDefault("status") == "400" && r.Event.Outcome == AuditOutcome.Failure);
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    [InlineData("Origin", "https://evil.example")]
    [InlineData("Origin", "null")]
    public async Task Write_FromAnotherSite_IsRefusedAndAuditedEvenForAnAllowedCaller(string header, string value)
    {
        // A page elsewhere that makes a signed-in operator's browser post to the API (the dashboard's cookie rides along).
        await using var host = await StartAsync(access: o => o.RateLimitPermits = 10_000);
        await host.SeedAsync("matrix");
        using var request = Request(HttpMethod.Post, Key + "/revoke", Caller.RightRoleMfa, null);
        request.Headers.TryAddWithoutValidation(header, value);

        using var response = await host.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync()).Should().Contain("another site");
        (await host.Services.GetRequiredService<IKeyStore>().GetAsync(KeyReference.Parse("openai/matrix"))).CurrentVersion.Should().NotBeNull("nothing was revoked");
        (await host.AuditAsync()).Should().Contain(r => r.Event.Action == AuditAction.AccessDenied && r.Event.Details.GetValueOrDefault("operation") == "keys.revoke");
    }

    [Fact]
    public async Task Write_FromTheSameOriginOrNoBrowser_IsAnswered_AndANonJsonBodyIsRefused()
    {
        await using var host = await StartAsync(access: o => o.RateLimitPermits = 10_000);
        await host.SeedAsync("matrix");
        using var sameOrigin = Request(HttpMethod.Put, Key + "/limits", Caller.RightRoleMfa, JsonContent.Create(new { alertThresholds = new[] { 0.5 } }));
        sameOrigin.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        using var textBody = Request(HttpMethod.Put, Key + "/limits", Caller.RightRoleMfa, new StringContent("{\"alertThresholds\":[0.6]}", System.Text.Encoding.UTF8, "text/plain"));

        using var allowed = await host.Client.SendAsync(sameOrigin);
        using var refused = await host.Client.SendAsync(textBody);

        allowed.StatusCode.Should().Be(HttpStatusCode.OK);
        refused.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await host.Services.GetRequiredService<IKeyStore>().GetAsync(KeyReference.Parse("openai/matrix"))).Limits.AlertThresholds.Should().Equal(0.5m);
    }

    [Fact]
    public async Task ReadOnlyMode_RefusesEveryWrite_AndAnswersReads()
    {
        await using var host = await StartAsync(access: o => { o.ReadOnly = true; o.RateLimitPermits = 10_000; });
        await host.SeedAsync("matrix");

        var write = await host.SendAsync(HttpMethod.Put, Key + "/rotate", Caller.RightRoleMfa);
        var read = await host.SendAsync(HttpMethod.Get, Key, Caller.RightRoleMfa);

        write.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await write.Content.ReadAsStringAsync()).Should().Contain("read-only");
        read.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task RateLimit_ExceededByOneAddress_Is429AndAudited()
    {
        await using var host = await StartAsync(access: o => o.RateLimitPermits = 2);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await host.SendAsync(HttpMethod.Get, "/api/admin/api-keys", Caller.RightRoleMfa)).StatusCode);
        }

        var other = await host.SendAsync(HttpMethod.Get, "/api/admin/api-keys", Caller.RightRoleMfa with { ForwardedFor = "10.9.9.9" });

        statuses.Should().Equal(HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests);
        other.StatusCode.Should().Be(HttpStatusCode.OK, "the limit is per client address");
        (await host.AuditAsync()).Should().Contain(r => r.Event.Action == AuditAction.AccessDenied && r.Event.Details.GetValueOrDefault("status") == "429" && r.Event.IpAddress == RemoteAllowed);
    }

    [Fact]
    public async Task SensitiveRoute_WithoutMfa_AsksForStepUp()
    {
        await using var host = await StartAsync(access: o => o.RateLimitPermits = 10_000);
        await host.SeedAsync("matrix");

        var response = await host.SendAsync(HttpMethod.Post, Key + "/revoke", Caller.RightRoleNoMfa);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        response.Headers.WwwAuthenticate.ToString().Should().Contain("insufficient_user_authentication");
        (await response.Content.ReadAsStringAsync()).Should().Contain("multi-factor");
    }

    private static async Task<string> CheckAsync(AdminTestHost host, (HttpMethod Method, string Path, object? Body, string Operation, bool Mfa) route, Caller caller, HttpStatusCode? expected, string? detail = null)
    {
        var before = (await host.AuditAsync()).Count;
        var response = await host.SendAsync(route.Method, route.Path, caller, route.Body is null ? null : JsonContent.Create(route.Body));
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        var cell = $"{route.Method} {route.Path} as {caller}";
        if (expected is { } want ? response.StatusCode != want : status is 401 or 403 or 429)
        {
            return $"{cell}: expected {(expected is null ? "to be let through" : ((int)expected).ToString())}, got {status} {body}";
        }

        if (detail is not null && !body.Contains(detail, StringComparison.Ordinal))
        {
            return $"{cell}: the problem does not say how to configure access: {body}";
        }

        if (expected is not null && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"{cell}: a refusal is not Problem Details";
        }

        var access = (await host.AuditAsync()).Skip(before).Where(r => r.Event.Action == AuditAction.AccessGranted || r.Event.Action == AuditAction.AccessDenied).ToList();
        var wantedAction = expected is null ? AuditAction.AccessGranted : AuditAction.AccessDenied;
        var record = access.SingleOrDefault();
        if (record is null || record.Event.Action != wantedAction || record.Event.Details["operation"] != route.Operation || record.Event.Details["status"] != status.ToString(System.Globalization.CultureInfo.InvariantCulture)
            || record.Event.IpAddress != (caller.ForwardedFor ?? "127.0.0.1") || record.Event.Actor != (caller.User ?? (expected is null ? "local" : "anonymous")) || string.IsNullOrEmpty(record.Event.Reason))
        {
            return $"{cell}: expected one {wantedAction} record for {route.Operation} with status {status}, got {string.Join(" | ", access.Select(a => $"{a.Event.Action} {a.Event.Actor} {a.Event.IpAddress} {string.Join(",", a.Event.Details)}"))}";
        }

        return string.Empty;
    }
}
