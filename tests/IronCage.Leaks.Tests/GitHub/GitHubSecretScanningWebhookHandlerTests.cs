using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Leaks.GitHub;
using IronCage.Leaks.Response;
using IronCage.Providers;
using IronCage.Testing;
using IronCage.Testing.Emulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Leaks.Tests.GitHub;

public sealed class GitHubSecretScanningWebhookHandlerTests
{
    private const string WebhookSecret = "It's a Secret to Everybody";

    [Fact]
    public async Task HandleAsync_SignedCreatedAlertForAManagedKey_RunsTheEmergencyRotation()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider, extend: b => b.AddLeakResponse());
        var (key, secret) = await harness.RegisterAsync();
        await using var github = await GitHubSecretScanningEmulator.StartAsync();
        github.AddAlert("Codertocat", "Hello-World", 42, secret.Reveal());
        var handler = await Handler(harness, github.BaseAddress);
        var body = Encoding.UTF8.GetBytes(CreatedPayload());

        var result = await handler.HandleAsync(Headers(Sign(body, WebhookSecret)), body);

        result.StatusCode.Should().Be(202);
        result.Response!.Outcome.Should().Be(LeakResponseOutcome.Rotated);
        provider.IsAccepted(secret).Should().BeFalse();
        github.Requests.Should().ContainSingle().Which.Should().Be("GET /repos/Codertocat/Hello-World/secret-scanning/alerts/42 Bearer ghp-test-token");
        var leaked = (await Audit(harness)).Should().ContainSingle(r => r.Event.Action == LeakAuditActions.KeyLeaked).Subject.Event;
        leaked.Details.Should().Contain("source", "github-secret-scanning").And.Contain("path", "https://github.com/Codertocat/Hello-World/security/secret-scanning/42");
        leaked.Target.Should().Be(key.Reference.ToString());
    }

    [Theory]
    [InlineData("sha256=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("sha1=abc")]
    [InlineData("")]
    public async Task HandleAsync_WrongSignature_IsRefusedAndAudited(string signature)
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        using var harness = new RotationHarness(provider, extend: b => b.AddLeakResponse());
        var (_, secret) = await harness.RegisterAsync();
        await using var github = await GitHubSecretScanningEmulator.StartAsync();
        github.AddAlert("Codertocat", "Hello-World", 42, secret.Reveal());
        var handler = await Handler(harness, github.BaseAddress);
        var body = Encoding.UTF8.GetBytes(CreatedPayload());

        var result = await handler.HandleAsync(Headers(signature), body);

        result.StatusCode.Should().Be(401);
        provider.IsAccepted(secret).Should().BeTrue();
        github.Requests.Should().BeEmpty();
        (await Audit(harness)).Should().Contain(r => r.Event.Action == AuditAction.AccessDenied && r.Event.Outcome == AuditOutcome.Failure);
    }

    [Fact]
    public async Task HandleAsync_SignedWithAnotherSecret_IsRefused()
    {
        using var harness = new RotationHarness(FakeProviderAdapter.For(ProviderId.OpenAI), extend: b => b.AddLeakResponse());
        await using var github = await GitHubSecretScanningEmulator.StartAsync();
        var handler = await Handler(harness, github.BaseAddress);
        var body = Encoding.UTF8.GetBytes(CreatedPayload());

        (await handler.HandleAsync(Headers(Sign(body, "another secret")), body)).StatusCode.Should().Be(401);
    }

    [Fact]
    public async Task AddGitHubSecretScanning_HandlerFromTheContainer_RotatesAndTheContainersScannerSeesTheNewVersions()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        Uri? baseAddress = null;
        using var harness = new RotationHarness(provider, extend: b => b.AddGitHubSecretScanning(o =>
        {
            o.WebhookSecret = WebhookSecret;
            o.Token = "ghp-test-token";
            o.BaseAddress = baseAddress!;
        }));
        var (key, secret) = await harness.RegisterAsync();
        await using var github = await GitHubSecretScanningEmulator.StartAsync();
        github.AddAlert("Codertocat", "Hello-World", 42, secret.Reveal());
        baseAddress = github.BaseAddress;
        var before = harness.Services.GetRequiredService<LeakScanner>();
        before.ScanText($"key = {secret.Reveal()}").Should().ContainSingle().Which.Classification.Should().Be(LeakClassification.ManagedCurrent);

        var handler = harness.Services.GetRequiredService<GitHubSecretScanningWebhookHandler>();
        var body = Encoding.UTF8.GetBytes(CreatedPayload());
        var result = await handler.HandleAsync(Headers(Sign(body, WebhookSecret)), body);

        result.StatusCode.Should().Be(202);
        result.Response!.Outcome.Should().Be(LeakResponseOutcome.Rotated);
        provider.IsAccepted(secret).Should().BeFalse();
        harness.Services.GetRequiredService<GitHubSecretScanningWebhookHandler>().Should().BeSameAs(handler);
        var after = harness.Services.GetRequiredService<LeakScanner>();
        after.ScanText($"key = {secret.Reveal()}").Should().ContainSingle().Which.Classification.Should().NotBe(LeakClassification.ManagedCurrent);
        after.ManagedKeys.Count.Should().BeGreaterThan(before.ManagedKeys.Count);
        result.Response.Finding.ManagedKey.Should().Be(key.Reference);
    }

    private static async Task<GitHubSecretScanningWebhookHandler> Handler(RotationHarness harness, Uri baseAddress)
    {
        var scanner = await LeakScanner.CreateAsync(harness.Services.GetRequiredService<IProviderCatalog>(), harness.Services.GetRequiredService<ISecretFingerprinter>(), harness.Keys);
        return new GitHubSecretScanningWebhookHandler(
            new HttpClient(),
            scanner,
            harness.Services.GetRequiredService<LeakResponder>(),
            harness.Shared.Audit,
            harness.Clock,
            Options.Create(new GitHubSecretScanningOptions { WebhookSecret = WebhookSecret, Token = "ghp-test-token", BaseAddress = baseAddress }));
    }

    private static Dictionary<string, string> Headers(string signature) => new()
    {
        ["X-GitHub-Event"] = "secret_scanning_alert",
        ["X-GitHub-Delivery"] = "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        ["X-Hub-Signature-256"] = signature,
        ["Content-Type"] = "application/json",
    };

    private static string Sign(byte[] body, string secret) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    // The secret_scanning_alert "created" payload as GitHub documents it: the alert carries no secret.
    private static string CreatedPayload() => """
        {
          "action": "created",
          "alert": {
            "number": 42,
            "created_at": "2026-11-30T15:42:05Z",
            "updated_at": null,
            "url": "https://api.github.com/repos/Codertocat/Hello-World/secret-scanning/alerts/42",
            "html_url": "https://github.com/Codertocat/Hello-World/security/secret-scanning/42",
            "locations_url": "https://api.github.com/repos/Codertocat/Hello-World/secret-scanning/alerts/42/locations",
            "resolution": null,
            "resolved_at": null,
            "resolved_by": null,
            "secret_type": "openai_api_key",
            "secret_type_display_name": "OpenAI API Key",
            "validity": "unknown",
            "push_protection_bypassed": false,
            "publicly_leaked": false,
            "multi_repo": false
          },
          "repository": { "id": 186853002, "name": "Hello-World", "full_name": "Codertocat/Hello-World", "private": false },
          "sender": { "login": "github", "id": 9919, "type": "Organization" }
        }
        """;

    private static async Task<List<AuditRecord>> Audit(RotationHarness harness)
    {
        var records = new List<AuditRecord>();
        await foreach (var record in harness.Shared.Audit.ReadAsync())
        {
            records.Add(record);
        }

        return records;
    }
}
