using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IronCage.Auditing;
using IronCage.Leaks.Response;
using IronCage.Leaks.Scanning;
using IronCage.Providers;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Leaks.GitHub;

/// <summary>
/// Handles GitHub <c>secret_scanning_alert</c> webhook deliveries from any host: give it the request's headers and raw
/// body. The <c>X-Hub-Signature-256</c> signature is checked in constant time (a wrong or missing one is refused and
/// audited as <c>access.denied</c>); for <c>created</c>, <c>reopened</c> and <c>publicly_leaked</c> alerts the
/// alert's secret is read from the REST API (the payload does not carry it), matched, and handed to the
/// <see cref="LeakResponder"/>.
/// </summary>
public sealed class GitHubSecretScanningWebhookHandler
{
    private const string Source = "github-secret-scanning";
    private static readonly string[] ActionsToHandle = ["created", "reopened", "publicly_leaked", "validated"];
    private readonly HttpClient _http;
    private readonly Func<CancellationToken, ValueTask<LeakScanner>> _scanner;
    private readonly LeakResponder _responder;
    private readonly IAuditLog _audit;
    private readonly IClock _clock;
    private readonly GitHubSecretScanningOptions _options;

    /// <summary>Creates the handler.</summary>
    /// <param name="http">The HTTP client for the REST API.</param>
    /// <param name="scanner">The scanner whose rules and managed keys identify and match the secret.</param>
    /// <param name="responder">The responder.</param>
    /// <param name="audit">The audit log, for refused deliveries.</param>
    /// <param name="clock">The clock.</param>
    /// <param name="options">The webhook secret, token and base address.</param>
    public GitHubSecretScanningWebhookHandler(HttpClient http, LeakScanner scanner, LeakResponder responder, IAuditLog audit, IClock clock, IOptions<GitHubSecretScanningOptions> options)
        : this(http, Fixed(scanner), responder, audit, clock, options)
    {
    }

    /// <summary>Creates the handler over a scanner whose managed keys are reloaded as they change (the container's).</summary>
    internal GitHubSecretScanningWebhookHandler(HttpClient http, Func<CancellationToken, ValueTask<LeakScanner>> scanner, LeakResponder responder, IAuditLog audit, IClock clock, IOptions<GitHubSecretScanningOptions> options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(responder);
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _scanner = scanner;
        _responder = responder;
        _audit = audit;
        _clock = clock;
        _options = options.Value;
    }

    /// <summary>Handles one delivery.</summary>
    /// <param name="headers">The request headers (names compared case-insensitively).</param>
    /// <param name="body">The raw request body, exactly as received.</param>
    /// <param name="cancellationToken">A token to cancel handling.</param>
    /// <returns>What was done, with the status to answer.</returns>
    public async Task<GitHubWebhookResult> HandleAsync(IReadOnlyDictionary<string, string> headers, ReadOnlyMemory<byte> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var lookup = new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase);
        if (!IsSigned(lookup.GetValueOrDefault("X-Hub-Signature-256"), body.Span))
        {
            await _audit.AppendAsync(
                new AuditEvent
                {
                    Actor = Source,
                    Action = AuditAction.AccessDenied,
                    Target = "webhook/" + Source,
                    Timestamp = _clock.GetCurrentInstant(),
                    Reason = "The X-Hub-Signature-256 signature is missing or does not match the webhook secret.",
                    Outcome = AuditOutcome.Failure,
                    Details = new Dictionary<string, string>(StringComparer.Ordinal) { ["delivery"] = lookup.GetValueOrDefault("X-GitHub-Delivery") ?? string.Empty },
                },
                cancellationToken).ConfigureAwait(false);
            return new GitHubWebhookResult(401, null);
        }

        if (!string.Equals(lookup.GetValueOrDefault("X-GitHub-Event"), "secret_scanning_alert", StringComparison.Ordinal))
        {
            return new GitHubWebhookResult(204, null);
        }

        string? action, repository, htmlUrl;
        int number;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            action = root.GetProperty("action").GetString();
            var alert = root.GetProperty("alert");
            number = alert.GetProperty("number").GetInt32();
            htmlUrl = alert.TryGetProperty("html_url", out var url) ? url.GetString() : null;
            repository = root.GetProperty("repository").GetProperty("full_name").GetString();
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return new GitHubWebhookResult(400, null);
        }

        if (action is null || repository is null || !ActionsToHandle.Contains(action, StringComparer.Ordinal))
        {
            return new GitHubWebhookResult(204, null);
        }

        var finding = await FetchAsync(repository, number, htmlUrl, cancellationToken).ConfigureAwait(false);
        if (finding is null)
        {
            return new GitHubWebhookResult(204, null);
        }

        var response = await _responder.HandleAsync(finding, Source, cancellationToken).ConfigureAwait(false);
        return new GitHubWebhookResult(202, response);
    }

    private async Task<LeakFinding?> FetchAsync(string repository, int number, string? htmlUrl, CancellationToken cancellationToken)
    {
        var uri = new Uri(_options.BaseAddress, string.Create(CultureInfo.InvariantCulture, $"repos/{repository}/secret-scanning/alerts/{number}"));
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
        request.Headers.Add("X-GitHub-Api-Version", "2022-11-28");
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("IronCage", "0.1"));
        if (!string.IsNullOrEmpty(_options.Token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.Token);
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new LeakScanException(string.Create(CultureInfo.InvariantCulture, $"GitHub answered {(int)response.StatusCode} for secret scanning alert {number} of {repository}. The token needs the read-only \"Secret scanning alerts\" permission on the repository."));
        }

        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var secret = document.RootElement.TryGetProperty("secret", out var s) ? s.GetString() : null;
            if (string.IsNullOrEmpty(secret))
            {
                return null;
            }

            var location = new LeakLocation { Path = htmlUrl ?? uri.AbsoluteUri };
            var scanner = await _scanner(cancellationToken).ConfigureAwait(false);
            return scanner.Identify(secret) is { } shape ? scanner.Materialize(secret, shape.Provider, shape.Kind, location) : null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static Func<CancellationToken, ValueTask<LeakScanner>> Fixed(LeakScanner scanner)
    {
        ArgumentNullException.ThrowIfNull(scanner);
        return _ => ValueTask.FromResult(scanner);
    }

    private bool IsSigned(string? header, ReadOnlySpan<byte> body)
    {
        const string Prefix = "sha256=";
        if (string.IsNullOrEmpty(_options.WebhookSecret) || header is null || !header.StartsWith(Prefix, StringComparison.Ordinal) || header.Length != Prefix.Length + 64)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(_options.WebhookSecret), body, expected);
        byte[] actual;
        try
        {
            actual = Convert.FromHexString(header.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}
