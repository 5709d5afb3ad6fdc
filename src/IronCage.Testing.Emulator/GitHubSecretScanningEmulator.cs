using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IronCage.Testing.Emulator;

/// <summary>
/// GitHub's secret scanning as IronCage uses it, on 127.0.0.1: <c>GET /repos/{owner}/{repo}/secret-scanning/alerts/{number}</c>
/// answers an alert with its <c>secret</c> (as the REST API does for a token with the <c>secret_scanning_alerts</c>
/// read permission), 401 without a bearer token and 404 for an alert it does not have; and it signs
/// <c>secret_scanning_alert</c> webhook deliveries (<see cref="CreateDelivery"/>) the way GitHub does, with
/// <c>X-Hub-Signature-256</c> over the raw body.
/// </summary>
public sealed class GitHubSecretScanningEmulator : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Owner, string Repo, int Number), Alert> _alerts = new();
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly WebApplication _app;

    private GitHubSecretScanningEmulator(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>Gets the REST API's address (plays <c>https://api.github.com/</c>); it ends in <c>/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Gets every REST request received, as <c>GET path Authorization</c>, oldest first.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Starts the emulator with a port the system picks.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator.</returns>
    public static async Task<GitHubSecretScanningEmulator> StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        GitHubSecretScanningEmulator? emulator = null;
        app.MapGet("/repos/{owner}/{repo}/secret-scanning/alerts/{number:int}", context => emulator!.GetAlert(
            context,
            (string)context.GetRouteValue("owner")!,
            (string)context.GetRouteValue("repo")!,
            int.Parse((string)context.GetRouteValue("number")!, System.Globalization.CultureInfo.InvariantCulture)).ExecuteAsync(context));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator = new GitHubSecretScanningEmulator(app, new Uri(address.TrimEnd('/') + "/"));
        return emulator;
    }

    /// <summary>Adds (or replaces) an open alert whose secret is <paramref name="secret"/>.</summary>
    /// <param name="owner">The repository's owner.</param>
    /// <param name="repo">The repository's name.</param>
    /// <param name="number">The alert's number.</param>
    /// <param name="secret">The leaked secret GitHub found.</param>
    /// <param name="secretType">GitHub's secret type, such as <c>openai_api_key</c>.</param>
    public void AddAlert(string owner, string repo, int number, string secret, string secretType = "openai_api_key")
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentException.ThrowIfNullOrEmpty(repo);
        ArgumentException.ThrowIfNullOrEmpty(secret);
        _alerts[(owner, repo, number)] = new Alert(secret, secretType);
    }

    /// <summary>
    /// Builds a <c>secret_scanning_alert</c> delivery as GitHub sends it for an alert of this emulator: the documented
    /// payload (which carries no secret), the <c>X-GitHub-Event</c>, <c>X-GitHub-Delivery</c> and
    /// <c>X-Hub-Signature-256</c> headers, signed with <paramref name="webhookSecret"/>.
    /// </summary>
    /// <param name="webhookSecret">The webhook's secret.</param>
    /// <param name="owner">The repository's owner.</param>
    /// <param name="repo">The repository's name.</param>
    /// <param name="number">The alert's number.</param>
    /// <param name="action">The delivery's action: <c>created</c>, <c>reopened</c>, <c>publicly_leaked</c>, <c>validated</c>, <c>resolved</c>.</param>
    /// <returns>The raw body and the headers.</returns>
    public static (byte[] Body, IReadOnlyDictionary<string, string> Headers) CreateDelivery(string webhookSecret, string owner, string repo, int number, string action = "created")
    {
        ArgumentException.ThrowIfNullOrEmpty(webhookSecret);
        var payload = new JsonObject
        {
            ["action"] = action,
            ["alert"] = new JsonObject
            {
                ["number"] = number,
                ["created_at"] = "2026-11-30T15:42:05Z",
                ["updated_at"] = null,
                ["url"] = $"https://api.github.com/repos/{owner}/{repo}/secret-scanning/alerts/{number}",
                ["html_url"] = $"https://github.com/{owner}/{repo}/security/secret-scanning/{number}",
                ["locations_url"] = $"https://api.github.com/repos/{owner}/{repo}/secret-scanning/alerts/{number}/locations",
                ["resolution"] = null,
                ["secret_type"] = "openai_api_key",
                ["secret_type_display_name"] = "OpenAI API Key",
                ["validity"] = "unknown",
                ["push_protection_bypassed"] = false,
                ["publicly_leaked"] = false,
                ["multi_repo"] = false,
            },
            ["repository"] = new JsonObject { ["id"] = 186853002, ["name"] = repo, ["full_name"] = $"{owner}/{repo}", ["private"] = false },
            ["sender"] = new JsonObject { ["login"] = "github", ["id"] = 9919, ["type"] = "Organization" },
        };
        var body = Encoding.UTF8.GetBytes(payload.ToJsonString());
        var signature = "sha256=" + Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(webhookSecret), body)).ToLowerInvariant();
        return (body, new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["X-GitHub-Event"] = "secret_scanning_alert",
            ["X-GitHub-Delivery"] = Guid.NewGuid().ToString(),
            ["X-Hub-Signature-256"] = signature,
            ["Content-Type"] = "application/json",
        });
    }

    /// <summary>Stops the server.</summary>
    /// <returns>A task that completes when the server stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private IResult GetAlert(HttpContext context, string owner, string repo, int number)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        _requests.Enqueue($"GET {context.Request.Path} {authorization}");
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) && !authorization.StartsWith("token ", StringComparison.Ordinal))
        {
            return Error(401, "Requires authentication");
        }

        if (!_alerts.TryGetValue((owner, repo, number), out var alert))
        {
            return Error(404, "Not Found");
        }

        var body = new JsonObject
        {
            ["number"] = number,
            ["created_at"] = "2026-11-30T15:42:05Z",
            ["url"] = $"https://api.github.com/repos/{owner}/{repo}/secret-scanning/alerts/{number}",
            ["html_url"] = $"https://github.com/{owner}/{repo}/security/secret-scanning/{number}",
            ["locations_url"] = $"https://api.github.com/repos/{owner}/{repo}/secret-scanning/alerts/{number}/locations",
            ["state"] = "open",
            ["secret_type"] = alert.SecretType,
            ["secret_type_display_name"] = alert.SecretType,
            ["secret"] = alert.Secret,
            ["validity"] = "active",
            ["publicly_leaked"] = false,
            ["multi_repo"] = false,
        };
        return Results.Text(body.ToJsonString(), "application/json", Encoding.UTF8, 200);
    }

    private static IResult Error(int status, string message) =>
        Results.Text(new JsonObject { ["message"] = message, ["documentation_url"] = "https://docs.github.com/rest" }.ToJsonString(), "application/json", Encoding.UTF8, status);

    private sealed record Alert(string Secret, string SecretType);
}
