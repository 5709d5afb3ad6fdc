using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using IronCage.Notifications;
using IronCage.Rotation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;
using NodaTime.Text;

namespace IronCage.Secrets;

/// <summary>
/// Delivers rotated keys to a receiver over HTTPS: a signed JSON POST that carries the key's value — the one IronCage
/// component that sends a value anywhere, because handing it to a consumer IronCage cannot reach otherwise is its
/// purpose. Register it only for a receiver you run.
/// </summary>
/// <remarks>
/// <para>
/// Every request carries <c>X-IronCage-Timestamp</c> and <c>X-IronCage-Signature</c> (<c>sha256=</c> HMAC-SHA256 of
/// <c>"&lt;timestamp&gt;.&lt;body&gt;"</c>, the Notifications webhook's scheme, verified with
/// <see cref="WebhookSignature.Verify(string, string?, ReadOnlySpan{byte}, string?, Instant, Duration)"/>) and
/// <see cref="WebhookKeyTargetConstants.IdempotencyKeyHeader"/> (<c>&lt;operation id&gt;:&lt;version id&gt;</c>), so a
/// receiver can refuse forgeries and replays and apply a resumed delivery once. The body is
/// <c>{"type":"ironcage.key.distributed"|"ironcage.key.restored","idempotencyKey","operationId","key","provider","versionId","displayHint","occurredAt","value"}</c>.
/// </para>
/// <para>
/// The URL must be <c>https</c> (plain <c>http</c> only to a loopback host with
/// <see cref="WebhookKeyTargetOptions.AllowHttpLoopback"/>); redirects are refused, never followed, so the value never
/// reaches another origin. Transient failures are retried <see cref="WebhookKeyTargetOptions.MaxRetries"/> times with
/// doubling delays; the delivery fails the distribution step after that. A 2xx answer confirms; a receiver may answer
/// <see cref="WebhookKeyTargetConstants.AlreadyCurrentHeader"/><c>: true</c> and
/// <see cref="WebhookKeyTargetConstants.TargetVersionHeader"/>. A version this instance already delivered is confirmed
/// as already current without sending it again.
/// </para>
/// </remarks>
public sealed class WebhookKeyTarget : IKeyDistributionTarget
{
    private readonly WebhookKeyTargetOptions _options;
    private readonly Uri _url;
    private readonly string _secret;
    private readonly HashSet<KeyReference> _keys;
    private readonly HttpClient _httpClient;
    private readonly IClock _clock;
    private readonly ILogger _logger;
    private readonly Dictionary<KeyReference, string> _delivered = [];
    private readonly object _gate = new();

    /// <summary>Creates the target.</summary>
    /// <param name="options">The receiver, the signing secret and the keys it holds.</param>
    /// <param name="httpClient">The client; it must not follow redirects (the builder's registration sees to it).</param>
    /// <param name="clock">The clock for the signature's timestamp.</param>
    /// <param name="logger">The logger; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException">The options are incomplete or the URL is not allowed; the message says how to fix it.</exception>
    public WebhookKeyTarget(WebhookKeyTargetOptions options, HttpClient httpClient, IClock clock, ILogger<WebhookKeyTarget>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(clock);
        if (Validate(options) is { } problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        _options = options;
        _url = options.Url!;
        _secret = options.Secret!;
        _keys = [.. options.Keys];
        _httpClient = httpClient;
        _clock = clock;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Name = options.Name ?? "webhook:" + _url.GetLeftPart(UriPartial.Authority);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Checks options: what is wrong and how to fix it, or <see langword="null"/> when they are usable.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The problem, or <see langword="null"/>.</returns>
    public static string? Validate(WebhookKeyTargetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Url is not { IsAbsoluteUri: true } url)
        {
            return "WebhookKeyTargetOptions.Url must be an absolute https URL of the receiver.";
        }

        if (url.Scheme != Uri.UriSchemeHttps && !(url.Scheme == Uri.UriSchemeHttp && options.AllowHttpLoopback && IsLoopback(url)))
        {
            return $"WebhookKeyTargetOptions.Url must be https: the body carries a key ({url.Scheme}://{url.Host} would send it in the clear). Plain http is allowed only to a loopback host with AllowHttpLoopback = true.";
        }

        if (!string.IsNullOrEmpty(url.UserInfo))
        {
            return "WebhookKeyTargetOptions.Url must not carry credentials; the receiver checks the signature instead.";
        }

        if (options.Secret is null || options.Secret.Length < WebhookKeyTargetConstants.MinSecretLength)
        {
            return $"WebhookKeyTargetOptions.Secret must be at least {WebhookKeyTargetConstants.MinSecretLength} characters; generate one (for example 32 random bytes in base64) and give the receiver the same.";
        }

        if (options.Keys.Count == 0)
        {
            return "WebhookKeyTargetOptions.Keys must name at least one managed key the receiver holds, for example openai/prod.";
        }

        if (options.MaxRetries is < 0 or > 10)
        {
            return "WebhookKeyTargetOptions.MaxRetries must be between 0 and 10.";
        }

        return options.Timeout <= TimeSpan.Zero || options.RetryDelay < TimeSpan.Zero
            ? "WebhookKeyTargetOptions.Timeout must be positive and RetryDelay not negative."
            : null;
    }

    /// <inheritdoc />
    public bool AppliesTo(ManagedKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _keys.Contains(key.Reference);
    }

    /// <inheritdoc />
    public async Task<KeyDistributionReceipt> DistributeAsync(KeyDistribution distribution, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        cancellationToken.ThrowIfCancellationRequested();
        var idempotencyKey = $"{distribution.OperationId}:{distribution.Version.VersionId}";
        lock (_gate)
        {
            if (_delivered.TryGetValue(distribution.Key.Reference, out var last) && last == idempotencyKey)
            {
                Log.TargetWritten(_logger, Name, distribution.Key.Reference, distribution.Version.VersionId, distribution.Version.DisplayHint, " (already current)");
                return new KeyDistributionReceipt { AlreadyCurrent = true };
            }
        }

        var receipt = await SendAsync("ironcage.key.distributed", idempotencyKey, distribution, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _delivered[distribution.Key.Reference] = idempotencyKey;
        }

        Log.TargetWritten(_logger, Name, distribution.Key.Reference, distribution.Version.VersionId, distribution.Version.DisplayHint, receipt.AlreadyCurrent ? " (already current)" : string.Empty);
        return receipt;
    }

    /// <inheritdoc />
    public async Task RestoreAsync(KeyDistribution previous, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(previous);
        await SendAsync("ironcage.key.restored", $"{previous.OperationId}:{previous.Version.VersionId}:restore", previous, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _delivered.Remove(previous.Key.Reference);
        }

        Log.TargetRestored(_logger, Name, previous.Key.Reference, previous.Version.VersionId, previous.Version.DisplayHint);
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private static bool IsLoopback(Uri url)
        => url.IsLoopback || (IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    private static bool IsTransient(HttpStatusCode status) => (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    private byte[] WriteBody(string type, string idempotencyKey, KeyDistribution distribution)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        try
        {
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("type", type);
                writer.WriteString("idempotencyKey", idempotencyKey);
                writer.WriteString("operationId", distribution.OperationId);
                writer.WriteString("key", distribution.Key.Reference.ToString());
                writer.WriteString("provider", distribution.Key.Reference.Provider.Value);
                writer.WriteString("versionId", distribution.Version.VersionId);
                writer.WriteString("displayHint", distribution.Version.DisplayHint);
                writer.WriteString("occurredAt", InstantPattern.ExtendedIso.Format(_clock.GetCurrentInstant()));
                distribution.Secret.UseChars(writer, static (chars, w) => { w.WriteString("value", chars); return 0; });
                writer.WriteEndObject();
            }

            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            buffer.Clear();
        }
    }

    private async Task<KeyDistributionReceipt> SendAsync(string type, string idempotencyKey, KeyDistribution distribution, CancellationToken cancellationToken)
    {
        var body = WriteBody(type, idempotencyKey, distribution);
        try
        {
            string? lastFailure = null;
            for (var attempt = 0; attempt <= _options.MaxRetries; attempt++)
            {
                if (attempt > 0)
                {
                    Log.WebhookRetry(_logger, Name, distribution.Key.Reference, distribution.Version.VersionId, attempt, lastFailure ?? "failure");
                    var delay = _options.RetryDelay * Math.Pow(2, attempt - 1);
                    if (delay > TimeSpan.Zero)
                    {
                        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                    }
                }

                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_options.Timeout);
                try
                {
                    using var request = CreateRequest(idempotencyKey, body);
                    using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                    if (response.RequestMessage?.RequestUri is { } sent && Uri.Compare(sent, _url, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
                    {
                        throw new IronCageException($"{Name}: the HTTP client followed a redirect to another origin; IronCage never sends a key there. Use a client that does not follow redirects.");
                    }

                    if (response.IsSuccessStatusCode)
                    {
                        return new KeyDistributionReceipt
                        {
                            AlreadyCurrent = response.Headers.TryGetValues(WebhookKeyTargetConstants.AlreadyCurrentHeader, out var already) && already.Any(v => string.Equals(v, "true", StringComparison.OrdinalIgnoreCase)),
                            TargetVersion = response.Headers.TryGetValues(WebhookKeyTargetConstants.TargetVersionHeader, out var version) ? version.FirstOrDefault() : null,
                        };
                    }

                    var status = string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode}");
                    if (!IsTransient(response.StatusCode))
                    {
                        throw new IronCageException($"{Name} answered {status} for {distribution.Key.Reference} version {distribution.Version.VersionId}; not retried ({((int)response.StatusCode is >= 300 and < 400 ? "redirects are never followed: point the URL at the receiver itself" : "check the receiver's signing secret and its logs")}).");
                    }

                    lastFailure = status;
                }
                catch (HttpRequestException ex)
                {
                    lastFailure = ex.HttpRequestError.ToString();
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    lastFailure = "timed out";
                }
            }

            throw new IronCageException($"{Name} did not confirm {distribution.Key.Reference} version {distribution.Version.VersionId} after {_options.MaxRetries + 1} attempts (last: {lastFailure}); the distribution step fails and is retried with the rotation.");
        }
        finally
        {
            Array.Clear(body);
        }
    }

    private HttpRequestMessage CreateRequest(string idempotencyKey, byte[] body)
    {
        var timestamp = _clock.GetCurrentInstant().ToUnixTimeSeconds();
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = content };
        request.Headers.Add(WebhookKeyTargetConstants.IdempotencyKeyHeader, idempotencyKey);
        request.Headers.Add(NotificationConstants.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(NotificationConstants.SignatureHeader, WebhookSignature.Compute(_secret, timestamp, body));
        return request;
    }
}
