using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using IronCage.Leaks.GitHub;
using IronCage.Leaks.Response;
using IronCage.Providers;
using IronCage.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IronCage.Leaks.Tests.GitHub;

public sealed class GitHubSecretScanningPollerTests
{
    private const string WebhookSecret = "poller-and-webhook";

    [Fact]
    public async Task PollAsync_OrganisationAlertsOnTwoPages_RotatesTheManagedKeyOnceAcrossPollsAndTheWebhook()
    {
        var provider = FakeProviderAdapter.For(ProviderId.OpenAI);
        Uri? baseAddress = null;
        using var harness = new RotationHarness(provider, extend: b => b.AddGitHubSecretScanning(o =>
        {
            o.WebhookSecret = WebhookSecret;
            o.Token = "ghp-poll";
            o.Organization = "octo-org";
            o.BaseAddress = baseAddress!;
        }));
        var (key, secret) = await harness.RegisterAsync();
        var stranger = FakeKeys.GenerateText(ProviderId.Groq);
        await using var github = await GitHubAlerts.StartAsync(secret.Reveal(), stranger);
        baseAddress = github.BaseAddress;
        var poller = harness.Services.GetRequiredService<GitHubSecretScanningPoller>();

        var first = await poller.PollAsync();
        var second = await poller.PollAsync();
        var webhook = harness.Services.GetRequiredService<GitHubSecretScanningWebhookHandler>();
        var body = Encoding.UTF8.GetBytes("""{"action":"created","alert":{"number":1,"html_url":"https://github.com/octo-org/api/security/secret-scanning/1"},"repository":{"full_name":"octo-org/api"}}""");
        var viaWebhook = await webhook.HandleAsync(
            new Dictionary<string, string> { ["X-GitHub-Event"] = "secret_scanning_alert", ["X-Hub-Signature-256"] = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(WebhookSecret), body)) },
            body);

        first.Select(r => (r.Finding.Provider, r.Outcome)).Should().BeEquivalentTo([(ProviderId.OpenAI, LeakResponseOutcome.Rotated), (ProviderId.Groq, LeakResponseOutcome.Alerted)]);
        first.Single(r => r.Outcome == LeakResponseOutcome.Rotated).Finding.ManagedKey.Should().Be(key.Reference);
        second.Should().BeEmpty("both alerts were seen");
        viaWebhook.Response!.Outcome.Should().Be(LeakResponseOutcome.Duplicate, "the webhook reports the alert the poller handled");
        provider.IsAccepted(secret).Should().BeFalse();
        github.Requests.Where(r => r.StartsWith("GET /orgs/octo-org/secret-scanning/alerts", StringComparison.Ordinal)).Should().HaveCount(4, "two pages, twice");
        github.Requests.Should().OnlyContain(r => r.EndsWith("Bearer ghp-poll", StringComparison.Ordinal));
        var leaked = new List<IronCage.Auditing.AuditRecord>();
        await foreach (var record in harness.Shared.Audit.ReadAsync())
        {
            leaked.Add(record);
        }

        leaked.Where(r => r.Event.Action == LeakAuditActions.KeyLeaked && r.Event.Target == key.Reference.ToString()).Should().ContainSingle();
    }

    /// <summary>GitHub's alert list as its REST docs show it: one alert per page, a Link header, rate-limit headers.</summary>
    private sealed class GitHubAlerts : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private GitHubAlerts(WebApplication app, Uri baseAddress)
        {
            _app = app;
            BaseAddress = baseAddress;
        }

        public Uri BaseAddress { get; }

        public List<string> Requests { get; } = [];

        public static async Task<GitHubAlerts> StartAsync(string managed, string stranger)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            GitHubAlerts? self = null;
            app.MapGet("/orgs/octo-org/secret-scanning/alerts", (HttpContext context) =>
            {
                lock (self!.Requests)
                {
                    self.Requests.Add($"GET {context.Request.Path}{context.Request.QueryString} {context.Request.Headers.Authorization}");
                }

                var page = context.Request.Query["page"] == "2" ? 2 : 1;
                var origin = $"{context.Request.Scheme}://{context.Request.Host}";
                context.Response.Headers["X-RateLimit-Limit"] = "5000";
                context.Response.Headers["X-RateLimit-Remaining"] = "4990";
                context.Response.Headers["X-RateLimit-Reset"] = "1764690000";
                context.Response.Headers["Link"] = page == 1
                    ? $"<{origin}/orgs/octo-org/secret-scanning/alerts?state=open&per_page=100&page=2>; rel=\"next\", <{origin}/orgs/octo-org/secret-scanning/alerts?state=open&per_page=100&page=2>; rel=\"last\""
                    : $"<{origin}/orgs/octo-org/secret-scanning/alerts?state=open&per_page=100&page=1>; rel=\"prev\", <{origin}/orgs/octo-org/secret-scanning/alerts?state=open&per_page=100&page=1>; rel=\"first\"";
                var alert = new JsonObject
                {
                    ["number"] = page,
                    ["created_at"] = "2026-11-30T15:42:05Z",
                    ["html_url"] = $"https://github.com/octo-org/api/security/secret-scanning/{page}",
                    ["state"] = "open",
                    ["secret_type"] = page == 1 ? "openai_api_key" : "groq_api_key",
                    ["secret"] = page == 1 ? managed : stranger,
                    ["repository"] = new JsonObject { ["id"] = 1296269, ["name"] = "api", ["full_name"] = "octo-org/api" },
                };
                return Results.Content(new JsonArray(alert).ToJsonString(), "application/json");
            });
            app.MapGet("/repos/octo-org/api/secret-scanning/alerts/1", (HttpContext context) =>
            {
                lock (self!.Requests)
                {
                    self.Requests.Add($"GET {context.Request.Path} {context.Request.Headers.Authorization}");
                }

                return Results.Content(new JsonObject { ["number"] = 1, ["secret"] = managed, ["html_url"] = "https://github.com/octo-org/api/security/secret-scanning/1" }.ToJsonString(), "application/json");
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            self = new GitHubAlerts(app, new Uri(address + "/"));
            return self;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
