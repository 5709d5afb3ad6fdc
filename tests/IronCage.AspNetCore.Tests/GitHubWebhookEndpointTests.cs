using System.Net;
using System.Text.Json;
using IronCage.Auditing;
using IronCage.Encryption;
using IronCage.Leaks.Response;
using IronCage.Rotation;
using IronCage.Testing;
using IronCage.Testing.Emulator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IronCage.AspNetCore.Tests;

/// <summary>
/// GitHub's <c>secret_scanning_alert</c> webhook through a real Kestrel host: signed deliveries run the leak response,
/// unsigned ones are refused and audited, even though the host requires authentication everywhere else.
/// </summary>
public sealed class GitHubWebhookEndpointTests : IAsyncLifetime, IDisposable
{
    private const string WebhookSecret = "It's a Secret to Everybody";
    private const string Path = "/api/webhooks/github/secret-scanning";
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("ironcage-webhook-");
    private readonly FakeProviderAdapter _openAI = FakeProviderAdapter.For(ProviderId.OpenAI);
    private GitHubSecretScanningEmulator _github = null!;
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _github = await GitHubSecretScanningEmulator.StartAsync();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddProvider(new SecretLeakLoggerProvider());
        builder.Services
            .AddIronCage()
            .ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey())
            .PersistToSqlite($"Data Source={System.IO.Path.Combine(_folder.FullName, "ironcage.db")};Pooling=False")
            .AddProviderAdapter(_openAI)
            .AddRotation()
            .AddGitHubSecretScanning(o =>
            {
                o.WebhookSecret = WebhookSecret;
                o.Token = "ghp-test-token";
                o.BaseAddress = _github.BaseAddress;
            });

        // Everything else in this host needs a signed-in user; the webhook is authenticated by its signature.
        builder.Services.AddAuthentication("none").AddScheme<AuthenticationSchemeOptions, NoUserHandler>("none", null);
        builder.Services.AddAuthorization(o => o.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        _app = builder.Build();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapGet("/private", () => "secret area");
        _app.MapIronCageGitHubSecretScanning();
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public void Dispose() => _client?.Dispose();

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _github.DisposeAsync();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task Post_SignedAlertForAManagedKey_RotatesItAndTheOldKeyStopsWorking()
    {
        var (key, secret) = await SeedAsync("prod");
        _github.AddAlert("octo-org", "billing", 42, secret.Reveal());
        var (body, headers) = GitHubSecretScanningEmulator.CreateDelivery(WebhookSecret, "octo-org", "billing", 42);

        using var response = await PostAsync(body, headers);

        response.StatusCode.Should().Be(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        answer.RootElement.GetProperty("outcome").GetString().Should().Be(nameof(LeakResponseOutcome.Rotated));
        answer.RootElement.GetProperty("operationId").GetString().Should().NotBeNullOrEmpty();
        _openAI.IsAccepted(secret).Should().BeFalse("the leaked key was rotated and revoked at the provider");
        _github.Requests.Should().ContainSingle().Which.Should().Be("GET /repos/octo-org/billing/secret-scanning/alerts/42 Bearer ghp-test-token");
        (await AuditAsync()).Should().Contain(r => r.Event.Action == LeakAuditActions.KeyLeaked && r.Event.Target == key.ToString());
        (await _client.GetAsync("/private")).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the host's own endpoints still need a user");
    }

    [Fact]
    public async Task Post_WrongSignature_Is401AuditedAndNothingIsRotated()
    {
        var (_, secret) = await SeedAsync("prod");
        _github.AddAlert("octo-org", "billing", 7, secret.Reveal());
        var (body, headers) = GitHubSecretScanningEmulator.CreateDelivery("not the webhook secret", "octo-org", "billing", 7);

        using var response = await PostAsync(body, headers);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        _openAI.IsAccepted(secret).Should().BeTrue();
        _github.Requests.Should().BeEmpty("an unsigned delivery never makes the receiver call GitHub");
        (await AuditAsync()).Should().Contain(r => r.Event.Action == AuditAction.AccessDenied && r.Event.Target == "webhook/github-secret-scanning");
    }

    [Fact]
    public async Task Post_TamperedBody_IsRefused()
    {
        var (body, headers) = GitHubSecretScanningEmulator.CreateDelivery(WebhookSecret, "octo-org", "billing", 9);
        body[^2] ^= 0x01;

        using var response = await PostAsync(body, headers);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Post_OtherEvent_Is204()
    {
        var (body, headers) = GitHubSecretScanningEmulator.CreateDelivery(WebhookSecret, "octo-org", "billing", 9);
        var ping = new Dictionary<string, string>(headers) { ["X-GitHub-Event"] = "ping" };

        using var response = await PostAsync(body, ping);

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Post_OversizedDelivery_Is413AndUnread()
    {
        var body = new byte[IronCageGitHubWebhookEndpointRouteBuilderExtensions.MaxDeliveryBytes + 10];
        var (_, headers) = GitHubSecretScanningEmulator.CreateDelivery(WebhookSecret, "octo-org", "billing", 9);

        using var response = await PostAsync(body, headers);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        _github.Requests.Should().BeEmpty();
    }

    [Fact]
    public void Map_WithoutGitHubSecretScanning_SaysWhatToRegister()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddIronCage().ProtectKeysWithMasterKey(LocalMasterKeyProvider.GenerateMasterKey());
        using var app = builder.Build();

        var act = () => app.MapIronCageGitHubSecretScanning();

        act.Should().Throw<InvalidOperationException>().WithMessage("*AddGitHubSecretScanning*");
    }

    private async Task<HttpResponseMessage> PostAsync(byte[] body, IReadOnlyDictionary<string, string> headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new ByteArrayContent(body) };
        foreach (var (name, value) in headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return await _client.SendAsync(request);
    }

    private async Task<(KeyReference Key, SecretValue Secret)> SeedAsync(string name)
    {
        var secret = FakeKeys.Generate(ProviderId.OpenAI);
        var id = _openAI.AddExistingKey(secret, "seed-" + name);
        var reference = new KeyReference(ProviderId.OpenAI, name);
        await _app.Services.GetRequiredService<IKeyRotator>().RegisterAsync(new KeyRegistration { Reference = reference, ProviderKeyId = id }, secret);
        return (reference, secret);
    }

    private async Task<List<AuditRecord>> AuditAsync()
    {
        var all = new List<AuditRecord>();
        await foreach (var record in _app.Services.GetRequiredService<IAuditLog>().ReadAsync())
        {
            all.Add(record);
        }

        return all;
    }

    private sealed class NoUserHandler(Microsoft.Extensions.Options.IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, System.Text.Encodings.Web.UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());
    }
}
