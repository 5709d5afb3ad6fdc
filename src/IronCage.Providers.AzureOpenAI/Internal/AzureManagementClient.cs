using System.Net.Http.Headers;
using System.Text.Json;
using Azure.Core;
using IronCage.Internal;
using IronCage.Providers.Http;
using Microsoft.Extensions.Logging;

namespace IronCage.Providers.AzureOpenAI;

/// <summary>
/// The two Azure Resource Manager calls the adapter needs on <c>Microsoft.CognitiveServices/accounts</c>: listKeys and
/// regenerateKey (200 with the keys, or 202 with <c>Azure-AsyncOperation</c> to poll before listing).
/// </summary>
internal sealed class AzureManagementClient
{
    private readonly HttpClient _http;
    private readonly ProviderHttpCalls _calls;
    private readonly TokenCredential _credential;
    private readonly AzureOpenAIProviderOptions _options;
    private readonly ILogger _logger;
    private readonly string _scope;

    public AzureManagementClient(HttpClient http, ProviderHttpCalls calls, TokenCredential credential, AzureOpenAIProviderOptions options, ILogger logger)
    {
        _http = http;
        _calls = calls;
        _credential = credential;
        _options = options;
        _logger = logger;
        _scope = options.TokenScope ?? options.BaseAddress.GetLeftPart(UriPartial.Authority) + "/.default";
    }

    /// <summary>Lists both slot values (<c>POST …/listKeys</c>).</summary>
    public async Task<AzureAccountKeys> ListKeysAsync(AzureAccount account, CancellationToken cancellationToken)
    {
        var uri = ActionUri(account, "listKeys");
        using var response = await _calls.SendAsync(_http, token => AuthorizedAsync(HttpMethod.Post, uri, content: null, token), "listKeys", safeToRetry: true, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            throw _calls.JsonError(response, $"listKeys on {account}", Fix);
        }

        return ReadKeys(response.Body, "listKeys");
    }

    /// <summary>Regenerates one slot (<c>POST …/regenerateKey</c> with <c>{"keyName": slot}</c>) and returns the account's keys afterwards.</summary>
    public async Task<AzureAccountKeys> RegenerateKeyAsync(AzureAccount account, string slot, CancellationToken cancellationToken)
    {
        var uri = ActionUri(account, "regenerateKey");
        var body = System.Text.Encoding.UTF8.GetBytes(new System.Text.Json.Nodes.JsonObject { ["keyName"] = slot }.ToJsonString());
        using var response = await _calls.SendAsync(_http, token => AuthorizedAsync(HttpMethod.Post, uri, body, token), "regenerateKey", safeToRetry: true, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == 202)
        {
            var operation = response.Header("Azure-AsyncOperation") ?? response.Header("Location")
                ?? throw new ProviderRequestException(ProviderId.AzureOpenAI, ProviderErrorKind.Unknown, $"{ProviderId.AzureOpenAI}: regenerateKey of {slot} on {account} was accepted (202) without an Azure-AsyncOperation or Location header to follow; list the keys to see whether the slot changed.") { StatusCode = 202 };
            var operationUri = CheckedOperationUri(operation);
            Log.RegenerationAccepted(_logger, account, slot, operationUri);
            await WaitForOperationAsync(operationUri, account, slot, cancellationToken).ConfigureAwait(false);
            return await ListKeysAsync(account, cancellationToken).ConfigureAwait(false);
        }

        if (!response.IsSuccess)
        {
            throw _calls.JsonError(response, $"regenerateKey of {slot} on {account}", Fix);
        }

        return ReadKeys(response.Body, "regenerateKey");
    }

    private static string? Fix(ProviderErrorKind kind)
    {
        if (kind == ProviderErrorKind.InvalidKey)
        {
            return "Azure Resource Manager rejected the Microsoft Entra token: check the connection's credential (DefaultAzureCredential's sources, tenant, expired secret).";
        }

        if (kind == ProviderErrorKind.Forbidden)
        {
            return "Give the identity a role with Microsoft.CognitiveServices/accounts/listKeys/action and regenerateKey/action on the account (for example Cognitive Services Contributor), and check that local (key) authentication is not disabled.";
        }

        if (kind == ProviderErrorKind.NotFound)
        {
            return $"Check the managed key's '{AzureOpenAIConstants.SubscriptionIdScopeKey}', '{AzureOpenAIConstants.ResourceGroupScopeKey}' and '{AzureOpenAIConstants.AccountNameScopeKey}' scope entries (or the connection's defaults).";
        }

        return kind == ProviderErrorKind.BadRequest ? "Check the connection's ApiVersion and the key slot name (Key1 or Key2)." : null;
    }

    private async Task WaitForOperationAsync(Uri operationUri, AzureAccount account, string slot, CancellationToken cancellationToken)
    {
        var settings = _options.Polling;
        await _calls.PollAsync(
            async token =>
            {
                using var poll = await _calls.SendAsync(_http, t => AuthorizedAsync(HttpMethod.Get, operationUri, content: null, t), "regenerateKey status", safeToRetry: true, token).ConfigureAwait(false);
                if (!poll.IsSuccess)
                {
                    throw _calls.JsonError(poll, $"polling regenerateKey of {slot} on {account}", Fix);
                }

                var status = ReadStatus(poll.Body);
                Log.OperationPolled(_logger, account, slot, status);
                switch (status)
                {
                    case "Succeeded":
                        return (true, true, (TimeSpan?)null);
                    case "Failed" or "Canceled" or "Cancelled":
                        throw OperationFailed(poll, status, account, slot);
                    default:
                        // A Location-style poll answers 202 until done and 200 (without a status) once finished.
                        return status is null && poll.StatusCode == 200 ? (true, true, null) : (false, false, poll.RetryAfter);
                }
            },
            settings,
            $"regenerateKey of {slot} on {account}",
            cancellationToken).ConfigureAwait(false);
    }

    private static ProviderRequestException OperationFailed(ProviderHttpResponse poll, string status, AzureAccount account, string slot)
    {
        string? code = null;
        string? message = null;
        using (var document = JsonDocument.Parse(poll.Body))
        {
            if (document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                code = error.TryGetProperty("code", out var c) ? c.GetString() : null;
                message = error.TryGetProperty("message", out var m) ? m.GetString() : null;
            }
        }

        var requestId = poll.Header("x-ms-request-id");
        var kind = code is "Conflict" ? ProviderErrorKind.Conflict : ProviderErrorKind.Transient;
        return new ProviderRequestException(ProviderId.AzureOpenAI, kind, $"{ProviderId.AzureOpenAI}: regenerateKey of {slot} on {account} ended {status}{(code is null ? string.Empty : " (" + code + ")")}.{(message is null ? string.Empty : " Azure said: " + SecretScrubber.Scrub(message))} The slot may or may not have changed: the rotation retries, which regenerates it again.")
        {
            StatusCode = poll.StatusCode,
            ProviderErrorCode = code,
            RequestId = requestId,
        };
    }

    private static string? ReadStatus(byte[] body)
    {
        if (body.Length == 0)
        {
            return null;
        }

        using var document = JsonDocument.Parse(body);
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String
            ? status.GetString()
            : null;
    }

    // The bearer token goes only to the management endpoint's own origin (scheme, host and port), whatever URL an answer
    // names: the same host on another port or over plain http is another server as far as the token is concerned.
    private Uri CheckedOperationUri(string operation)
    {
        var origin = _options.BaseAddress;
        if (!Uri.TryCreate(operation, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && !string.Equals(uri.Scheme, origin.Scheme, StringComparison.OrdinalIgnoreCase))
            || Uri.Compare(uri, origin, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
        {
            throw new ProviderRequestException(ProviderId.AzureOpenAI, ProviderErrorKind.Unknown, $"{ProviderId.AzureOpenAI}: regenerateKey answered 202 with an operation URL outside {origin.GetLeftPart(UriPartial.Authority)} (scheme, host and port must match); IronCage does not send its token there. List the keys to see whether the slot changed.") { StatusCode = 202 };
        }

        return uri;
    }

    private Uri ActionUri(AzureAccount account, string action)
        => new(_options.BaseAddress, $"{account.Path}/{action}?api-version={Uri.EscapeDataString(_options.ApiVersion)}");

    private async ValueTask<HttpRequestMessage> AuthorizedAsync(HttpMethod method, Uri uri, byte[]? content, CancellationToken cancellationToken)
    {
        var token = await _credential.GetTokenAsync(new TokenRequestContext([_scope]), cancellationToken).ConfigureAwait(false);
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (content is not null)
        {
            request.Content = new ByteArrayContent(content);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }
        else if (method == HttpMethod.Post)
        {
            request.Content = new ByteArrayContent([]);
        }

        return request;
    }

    // Reads key1 and key2 straight from the UTF-8 body into SecretValues, without strings in between.
    private static AzureAccountKeys ReadKeys(byte[] body, string operation)
    {
        SecretValue? key1 = null;
        SecretValue? key2 = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            var depth = 0;
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        depth++;
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        depth--;
                        break;
                    case JsonTokenType.PropertyName when depth == 1:
                        var isKey1 = reader.ValueTextEquals("key1"u8);
                        var isKey2 = reader.ValueTextEquals("key2"u8);
                        reader.Read();
                        if ((isKey1 || isKey2) && reader.TokenType == JsonTokenType.String)
                        {
                            var value = reader.ValueIsEscaped ? SecretValue.FromString(reader.GetString()!) : SecretValue.FromUtf8(reader.ValueSpan);
                            if (isKey1)
                            {
                                key1?.Dispose();
                                key1 = value;
                            }
                            else
                            {
                                key2?.Dispose();
                                key2 = value;
                            }
                        }
                        else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                        {
                            reader.Skip();
                        }

                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            key1?.Dispose();
            key2?.Dispose();
            throw new ProviderRequestException(ProviderId.AzureOpenAI, ProviderErrorKind.Unknown, $"{ProviderId.AzureOpenAI}: {operation} answered with a body that is not the documented {{\"key1\", \"key2\"}} JSON.", new JsonException(ex.GetType().Name));
        }

        if (key1 is null || key2 is null || key1.Length == 0 || key2.Length == 0)
        {
            key1?.Dispose();
            key2?.Dispose();
            throw new ProviderRequestException(ProviderId.AzureOpenAI, ProviderErrorKind.Unknown, $"{ProviderId.AzureOpenAI}: {operation} answered without both key1 and key2. Check that the account allows key (local) authentication.");
        }

        return new AzureAccountKeys(key1, key2);
    }
}
