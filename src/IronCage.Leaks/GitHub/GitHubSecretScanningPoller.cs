using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using IronCage.Leaks.Response;
using IronCage.Leaks.Scanning;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IronCage.Leaks.GitHub;

/// <summary>
/// Reads open secret scanning alerts of an organisation and of repositories from GitHub's REST API (paged by the
/// <c>Link</c> header) and hands each new one to the <see cref="LeakResponder"/>, under the same source as the
/// webhook, so an alert that both report is handled once. Resolve it from the container
/// (<c>AddGitHubSecretScanning()</c>); a hosted loop calls <see cref="PollAsync"/> every
/// <see cref="GitHubSecretScanningOptions.PollInterval"/> when an organisation or repositories are configured.
/// </summary>
public sealed class GitHubSecretScanningPoller
{
    private const string Source = "github-secret-scanning";
    private readonly HttpClient _http;
    private readonly Func<CancellationToken, ValueTask<LeakScanner>> _scanner;
    private readonly LeakResponder _responder;
    private readonly GitHubSecretScanningOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, bool> _seen = new(StringComparer.Ordinal);

    internal GitHubSecretScanningPoller(HttpClient http, Func<CancellationToken, ValueTask<LeakScanner>> scanner, LeakResponder responder, IOptions<GitHubSecretScanningOptions> options, ILogger<GitHubSecretScanningPoller> logger)
    {
        _http = http;
        _scanner = scanner;
        _responder = responder;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Reads every page of open alerts of the configured organisation and repositories once and handles the new ones.</summary>
    /// <param name="cancellationToken">A token to cancel the poll.</param>
    /// <returns>What was done with each alert not seen before.</returns>
    /// <exception cref="LeakScanException">GitHub refused a request; the message names the permission the token needs.</exception>
    public async Task<IReadOnlyList<LeakResponse>> PollAsync(CancellationToken cancellationToken = default)
    {
        var responses = new List<LeakResponse>();
        var targets = new List<string>();
        if (!string.IsNullOrEmpty(_options.Organization))
        {
            targets.Add($"orgs/{Uri.EscapeDataString(_options.Organization)}/secret-scanning/alerts");
        }

        targets.AddRange(_options.Repositories.Select(r => $"repos/{r}/secret-scanning/alerts"));
        foreach (var target in targets)
        {
            Uri? next = new(_options.BaseAddress, target + "?state=open&per_page=100");
            while (next is not null)
            {
                next = await PageAsync(next, responses, cancellationToken).ConfigureAwait(false);
            }
        }

        return responses;
    }

    private async Task<Uri?> PageAsync(Uri uri, List<LeakResponse> responses, CancellationToken cancellationToken)
    {
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
            throw new LeakScanException(string.Create(CultureInfo.InvariantCulture, $"GitHub answered {(int)response.StatusCode} for {uri.AbsolutePath}. The token needs the read-only \"Secret scanning alerts\" permission (an organisation's alerts: on its repositories, or an organisation owner's or security manager's token)."));
        }

        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var scanner = await _scanner(cancellationToken).ConfigureAwait(false);
            var findings = new List<(string Alert, LeakFinding Finding)>();
            using (var document = JsonDocument.Parse(bytes))
            {
                foreach (var alert in document.RootElement.EnumerateArray())
                {
                    var number = alert.GetProperty("number").GetInt32();
                    var repository = alert.TryGetProperty("repository", out var repo) && repo.TryGetProperty("full_name", out var name) ? name.GetString() : uri.AbsolutePath;
                    var secret = alert.TryGetProperty("secret", out var s) ? s.GetString() : null;
                    var id = string.Create(CultureInfo.InvariantCulture, $"{repository}#{number}");
                    if (string.IsNullOrEmpty(secret) || _seen.ContainsKey(id))
                    {
                        continue;
                    }

                    var location = new LeakLocation { Path = alert.TryGetProperty("html_url", out var url) ? url.GetString() : null };
                    if (scanner.Identify(secret) is { } shape)
                    {
                        findings.Add((id, scanner.Materialize(secret, shape.Provider, shape.Kind, location)));
                    }
                    else
                    {
                        _seen[id] = true;
                    }
                }
            }

            // An alert counts as seen once handled: one whose response failed is handled again at the next poll.
            foreach (var (id, finding) in findings)
            {
                responses.Add(await _responder.HandleAsync(finding, Source, cancellationToken).ConfigureAwait(false));
                _seen[id] = true;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }

        if (response.Headers.TryGetValues("X-RateLimit-Remaining", out var remaining) && remaining.FirstOrDefault() == "0")
        {
            Log.GitHubRateLimited(_logger, uri.AbsolutePath);
            return null;
        }

        return NextPage(response);
    }

    private static Uri? NextPage(HttpResponseMessage response)
    {
        // Link: <https://api.github.com/...&page=2>; rel="next", <...>; rel="last"
        if (!response.Headers.TryGetValues("Link", out var links))
        {
            return null;
        }

        foreach (var part in string.Join(',', links).Split(','))
        {
            var pieces = part.Split(';', StringSplitOptions.TrimEntries);
            if (pieces.Length >= 2 && pieces[0].StartsWith('<') && pieces[0].EndsWith('>') && pieces.Skip(1).Any(p => p == "rel=\"next\""))
            {
                return new Uri(pieces[0][1..^1]);
            }
        }

        return null;
    }
}
