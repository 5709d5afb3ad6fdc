using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NodaTime;
using NodaTime.Text;

namespace IronCage.Internal;

/// <summary>Where one provider connection sends its management calls, and with which credential.</summary>
/// <param name="Connection">The connection's name (<c>Add&lt;Provider&gt;(name, …)</c>).</param>
/// <param name="BaseAddress">The API's base address, ending in <c>/</c>.</param>
/// <param name="Credential">The admin or management key; never logged.</param>
/// <param name="CredentialOption">The option that holds <paramref name="Credential"/>, named in error messages.</param>
/// <param name="Resilience">The connection's resilience settings.</param>
internal sealed record ProviderEndpoint(string Connection, Uri BaseAddress, string Credential, string CredentialOption, ProviderResilienceSettings Resilience)
{
    /// <summary>The absolute address of <paramref name="relativePath"/> under <see cref="BaseAddress"/>.</summary>
    public Uri Resolve(string relativePath) => new(BaseAddress, relativePath);
}

/// <summary>One call to a provider.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Uri">The absolute address.</param>
/// <param name="Operation">What the call does, for messages (<c>create admin key</c>).</param>
internal sealed record ProviderCall(HttpMethod Method, Uri Uri, string Operation)
{
    /// <summary>Gets the JSON body, if any; sent as <c>application/json</c>.</summary>
    public JsonNode? Body { get; init; }

    /// <summary>Gets a value indicating whether repeating the call is harmless; only such calls are retried.</summary>
    public bool Idempotent { get; init; } = true;

    /// <summary>Gets a value indicating whether a 404 answer means "no such resource" (returned as a null body) rather than an error.</summary>
    public bool NotFoundIsNull { get; init; }

    /// <summary>Gets rules specific to this call, checked before the provider's (a verify call's rules).</summary>
    public IReadOnlyList<ResponseRule>? Rules { get; init; }
}

/// <summary>A successful answer: its JSON body (if any) and its classification.</summary>
internal sealed record ProviderAnswer(JsonElement? Body, ProviderResponseClassification Classification);

/// <summary>
/// The JSON front of <see cref="ProviderHttpCalls"/> for the providers whose management API takes the provider's own
/// auth scheme (OpenAI, Anthropic, OpenRouter): builds the request, applies the auth scheme, and turns error answers into
/// <see cref="ProviderRequestException"/>s classified by <see cref="ProviderResponseClassifier"/> with the catalog's
/// rules. Retry, timeout and circuit breaker are the shared pipeline's, one per connection.
/// </summary>
/// <remarks>Shared source: compiled into each provider package so every adapter reads answers the same way.</remarks>
internal sealed class ProviderHttp
{
    /// <summary>Gets the answer headers copied onto every error's <see cref="Exception.Data"/> (rate-limit state).</summary>
    public static readonly string[] ExposedHeaderPrefixes = ["x-ratelimit-", "anthropic-ratelimit-", "retry-after"];

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly string _httpClientName;
    private readonly ProviderDescriptor _descriptor;
    private readonly IClock _clock;
    private readonly ConcurrentDictionary<string, ProviderHttpCalls> _pipelines = new(StringComparer.Ordinal);

    public ProviderHttp(IHttpClientFactory httpClientFactory, string httpClientName, ProviderDescriptor descriptor, IClock clock)
    {
        _httpClientFactory = httpClientFactory;
        _httpClientName = httpClientName;
        _descriptor = descriptor;
        _clock = clock;
    }

    public ProviderId Provider => _descriptor.Id;

    public ProviderDescriptor Descriptor => _descriptor;

    public IClock Clock => _clock;

    /// <summary>Sends a management call with the connection's credential; throws for an error answer.</summary>
    public async Task<JsonElement?> SendAsync(ProviderEndpoint endpoint, ProviderCall call, CancellationToken cancellationToken)
    {
        using var credential = SecretValue.FromString(endpoint.Credential);
        return (await SendAsync(endpoint, call, credential, cancellationToken).ConfigureAwait(false)).Body;
    }

    /// <summary>Sends a call authenticated with <paramref name="credential"/>; throws for an error answer.</summary>
    /// <exception cref="ProviderRequestException">The provider answered with an error, or could not be reached in time.</exception>
    public async Task<ProviderAnswer> SendAsync(ProviderEndpoint endpoint, ProviderCall call, SecretValue credential, CancellationToken cancellationToken)
    {
        var calls = _pipelines.GetOrAdd(endpoint.Connection, static (connection, state) => new ProviderHttpCalls(state.Provider, connection, TimeProvider.System, state.Resilience), (Provider, endpoint.Resilience));
        var client = _httpClientFactory.CreateClient(_httpClientName);
        using var response = await calls.SendAsync(
            client,
            _ => ValueTask.FromResult(CreateRequest(call, credential)),
            call.Operation,
            call.Idempotent,
            cancellationToken,
            answer => Classify(answer, call, credential).Kind,
            message => SecretScrubber.Scrub(message, credential) ?? string.Empty).ConfigureAwait(false);
        if (response.StatusCode == 404 && call.NotFoundIsNull)
        {
            return new ProviderAnswer(null, new ProviderResponseClassification(Provider, 404, ProviderErrorKind.NotFound));
        }

        var classification = Classify(response, call, credential);
        if (classification.Kind is { } kind)
        {
            var exception = ProviderHttpCalls.Error(classification, call.Operation, Advice(kind, endpoint));
            foreach (var (header, values) in response.Message.Headers)
            {
                if (Array.Exists(ExposedHeaderPrefixes, p => header.StartsWith(p, StringComparison.OrdinalIgnoreCase)))
                {
                    exception.Data[header.ToLowerInvariant()] = string.Join(",", values);
                }
            }

            throw exception;
        }

        return new ProviderAnswer(Parse(response.Body), classification);
    }

    /// <summary>Verifies a key with an authenticated call: the answer's classification, or a transient result when the provider could not be reached.</summary>
    public async Task<KeyVerificationResult> VerifyAsync(ProviderEndpoint endpoint, Uri uri, SecretValue key, IReadOnlyList<ResponseRule>? rules, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            var answer = await SendAsync(endpoint, new ProviderCall(HttpMethod.Get, uri, "verify key") { Rules = rules }, key, cancellationToken).ConfigureAwait(false);
            return KeyVerificationResult.FromClassification(answer.Classification);
        }
        catch (ClassifiedProviderRequestException ex)
        {
            return KeyVerificationResult.FromClassification(ex.Classification);
        }
        catch (ProviderRequestException ex)
        {
            return KeyVerificationResult.Unreachable(Provider, ex.Message);
        }
    }

    /// <summary>
    /// Creates a key without ever creating two: the create call is not retried blindly. After an ambiguous failure (a
    /// timeout, a 5xx, a broken connection) the keys named <paramref name="name"/> are looked up and removed (their
    /// secret, shown once, is lost), and only then is the create repeated.
    /// </summary>
    public static async Task<CreatedProviderKey> CreateOnceAsync(
        ProviderEndpoint endpoint,
        string name,
        Func<CancellationToken, Task<CreatedProviderKey>> create,
        Func<string, CancellationToken, Task<IReadOnlyList<string>>> findByName,
        Func<string, CancellationToken, Task> remove,
        Action<int> onAmbiguous,
        CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await create(cancellationToken).ConfigureAwait(false);
            }
            catch (ProviderRequestException ex) when (ex.Kind == ProviderErrorKind.Transient && attempt < endpoint.Resilience.MaxRetryAttempts)
            {
                var orphans = await findByName(name, cancellationToken).ConfigureAwait(false);
                onAmbiguous(orphans.Count);
                foreach (var orphan in orphans)
                {
                    await remove(orphan, cancellationToken).ConfigureAwait(false);
                }

                var wait = ex.RetryAfter is { } retryAfter && retryAfter <= ProviderHttpCalls.MaxHonouredRetryAfter ? retryAfter : endpoint.Resilience.RetryDelay * (1 << attempt);
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private HttpRequestMessage CreateRequest(ProviderCall call, SecretValue credential)
    {
        var request = new HttpRequestMessage(call.Method, call.Uri);
        if (call.Body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(call.Body.ToJsonString()));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        _descriptor.Auth.Apply(request, credential, overwrite: true);
        return request;
    }

    private ProviderResponseClassification Classify(ProviderHttpResponse response, ProviderCall call, SecretValue credential)
        => ProviderResponseClassifier.Classify(_descriptor, response.Message, response.Body, _clock.GetCurrentInstant(), call.Rules, credential);

    private static string Advice(ProviderErrorKind kind, ProviderEndpoint endpoint)
    {
        if (kind == ProviderErrorKind.InvalidKey)
        {
            return $"Check {endpoint.CredentialOption} of connection '{endpoint.Connection}' (or, for a verify call, the key being verified).";
        }

        if (kind == ProviderErrorKind.Forbidden)
        {
            return $"The credential of connection '{endpoint.Connection}' lacks a permission this operation needs; see the package README for the least privileges.";
        }

        if (kind == ProviderErrorKind.NotFound)
        {
            return "Check the managed key's scope entries and the provider-side key id.";
        }

        if (kind == ProviderErrorKind.QuotaExhausted)
        {
            return "Add credits or raise the account's limit at the provider.";
        }

        return kind == ProviderErrorKind.RateLimited || kind == ProviderErrorKind.Transient
            ? "Retry later."
            : "Check the request's parameters.";
    }

    private static JsonElement? Parse(byte[] body)
    {
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Reads provider JSON by wire name, tolerating absent and null members.</summary>
internal static class ProviderJson
{
    public static string? Str(this JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static string Required(this JsonElement element, string name, ProviderId provider)
        => element.Str(name) ?? throw new IronCageException($"{provider} answered without the '{name}' field IronCage needs; the provider's API may have changed. Report it with the provider's request id.");

    public static long? Long(this JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    public static decimal? Decimal(this JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number) ? number : null;

    public static bool? Bool(this JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    public static JsonElement? Object(this JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    public static IEnumerable<JsonElement> Array(this JsonElement? element, string name)
        => element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : [];

    public static Instant? UnixSeconds(this JsonElement element, string name)
        => element.Long(name) is { } seconds ? Instant.FromUnixTimeSeconds(seconds) : null;

    public static Instant? Timestamp(this JsonElement element, string name)
        => element.Str(name) is { } text && InstantPattern.ExtendedIso.Parse(text) is { Success: true } parsed ? parsed.Value
            : element.Str(name) is { } other && DateTimeOffset.TryParse(other, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var offset) ? Instant.FromDateTimeOffset(offset) : null;

    /// <summary>An RFC 3339 UTC timestamp such as <c>2026-11-01T09:00:00Z</c>.</summary>
    public static string Format(Instant instant) => InstantPattern.General.Format(instant);

    /// <summary>Escapes a path segment (ids come from callers and providers).</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value);
}
