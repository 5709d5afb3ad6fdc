using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IronCage.Verification;
using NodaTime;

namespace IronCage.Providers.Http;

/// <summary>
/// The JSON front of <see cref="ProviderHttpCalls"/> for management APIs that take the provider's own auth scheme
/// (OpenAI, Anthropic, OpenRouter, most custom adapters): builds the request, applies the descriptor's auth scheme, and
/// turns error answers into <see cref="ProviderRequestException"/>s classified by <see cref="ProviderResponseClassifier"/>
/// with the descriptor's rules. Retry, timeout and circuit breaker are the connection's pipeline.
/// </summary>
public sealed class ProviderHttp
{
    private static readonly string[] ExposedHeaderPrefixes = ["x-ratelimit-", "anthropic-ratelimit-", "retry-after"];

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly string _httpClientName;
    private readonly ProviderDescriptor _descriptor;
    private readonly IClock _clock;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, ProviderHttpCalls> _connections = new(StringComparer.Ordinal);

    /// <summary>Initializes the front of one provider package.</summary>
    /// <param name="httpClientFactory">Creates the package's client.</param>
    /// <param name="httpClientName">The package's client name (registered by <see cref="ProviderHttpIronCageBuilderExtensions.AddProviderConnection{TOptions}(IIronCageBuilder, string, Action{TOptions}, ProviderClientSettings)"/>).</param>
    /// <param name="descriptor">The provider, as the host's <see cref="IProviderCatalog"/> describes it: its auth scheme and error rules are used.</param>
    /// <param name="clock">The clock, to read an HTTP-date <c>Retry-After</c>.</param>
    /// <param name="time">The time source of polling; <see langword="null"/> for the system clock.</param>
    public ProviderHttp(IHttpClientFactory httpClientFactory, string httpClientName, ProviderDescriptor descriptor, IClock clock, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        ArgumentException.ThrowIfNullOrWhiteSpace(httpClientName);
        ArgumentNullException.ThrowIfNull(descriptor);
        ArgumentNullException.ThrowIfNull(clock);
        _httpClientFactory = httpClientFactory;
        _httpClientName = httpClientName;
        _descriptor = descriptor;
        _clock = clock;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Gets the provider.</summary>
    public ProviderId Provider => _descriptor.Id;

    /// <summary>Gets the provider's descriptor.</summary>
    public ProviderDescriptor Descriptor => _descriptor;

    /// <summary>Gets the clock.</summary>
    public IClock Clock => _clock;

    /// <summary>Sends a management call with the connection's credential; throws for an error answer.</summary>
    /// <param name="endpoint">The connection.</param>
    /// <param name="call">The call.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer's JSON body, if any.</returns>
    /// <exception cref="ProviderRequestException">The provider answered with an error, or could not be reached in time.</exception>
    public async Task<JsonElement?> SendAsync(ProviderEndpoint endpoint, ProviderCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        using var credential = SecretValue.FromString(endpoint.Credential);
        return (await SendAsync(endpoint, call, credential, cancellationToken).ConfigureAwait(false)).Body;
    }

    /// <summary>Sends a call authenticated with <paramref name="credential"/>; throws for an error answer.</summary>
    /// <param name="endpoint">The connection.</param>
    /// <param name="call">The call.</param>
    /// <param name="credential">The key the call carries (the connection's, or a key being verified).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The answer.</returns>
    /// <exception cref="ProviderRequestException">The provider answered with an error, or could not be reached in time.</exception>
    public async Task<ProviderAnswer> SendAsync(ProviderEndpoint endpoint, ProviderCall call, SecretValue credential, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(credential);
        var calls = _connections.GetOrAdd(endpoint.Connection, static (connection, state) => new ProviderHttpCalls(state.Self._descriptor, connection, state.Settings, state.Self._time), (Self: this, Settings: endpoint.Options));
        var client = _httpClientFactory.CreateClient(_httpClientName);
        using var response = await calls.SendAsync(
            client,
            _ => ValueTask.FromResult(CreateRequest(call, credential)),
            call.Operation,
            call.Idempotent,
            cancellationToken,
            answer => Classify(answer, call, credential).Kind).ConfigureAwait(false);
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
    /// <param name="endpoint">The connection.</param>
    /// <param name="uri">The verify call's address.</param>
    /// <param name="key">The key to verify.</param>
    /// <param name="rules">The verify call's own rules, checked before the provider's.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The result.</returns>
    /// <remarks>
    /// A 2xx is a valid key only when its body has the <see cref="VerifyCall.SuccessShapes"/> of the descriptor's verify
    /// call (or admin verify call) whose path <paramref name="uri"/> ends with; otherwise the result is
    /// <see cref="ProviderErrorKind.UnexpectedAnswer"/>.
    /// </remarks>
    public async Task<KeyVerificationResult> VerifyAsync(ProviderEndpoint endpoint, Uri uri, SecretValue key, IReadOnlyList<ResponseRule>? rules, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            var answer = await SendAsync(endpoint, new ProviderCall(HttpMethod.Get, uri, "verify key") { Rules = rules }, key, cancellationToken).ConfigureAwait(false);

            // A 200 is not proof: only the answer the descriptor's verify call documents counts (a captive portal or a
            // proxy answers 200 too).
            return DocumentedVerifyCall(uri) is { } call && !call.IsDocumentedSuccess(Serialize(answer.Body))
                ? KeyVerificationResult.UnexpectedAnswer(Provider, answer.Classification.StatusCode, call)
                : KeyVerificationResult.FromClassification(answer.Classification);
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

    /// <summary>The descriptor's verify call (inference or admin) that <paramref name="uri"/> is addressed to, matched on the end of its path (a base-address override keeps the path).</summary>
    private VerifyCall? DocumentedVerifyCall(Uri uri)
    {
        foreach (var call in (ReadOnlySpan<VerifyCall?>)[_descriptor.VerifyCall, _descriptor.AdminVerifyCall])
        {
            if (call is not null && Uri.TryCreate(call.Url, UriKind.Absolute, out var documented)
                && uri.AbsolutePath.TrimEnd('/').EndsWith(documented.AbsolutePath.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
            {
                return call;
            }
        }

        return null;
    }

    private static byte[] Serialize(JsonElement? body)
    {
        if (body is not { } element)
        {
            return [];
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            element.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
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
