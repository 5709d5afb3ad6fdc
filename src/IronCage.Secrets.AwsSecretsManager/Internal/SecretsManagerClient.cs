using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Signing;

namespace IronCage.Secrets.AwsSecretsManager;

/// <summary>A secret's <c>GetSecretValue</c> answer. <see cref="SecretString"/> is the service's plaintext: never log it.</summary>
internal sealed record SecretsManagerValue(string Name, string VersionId, string SecretString, IReadOnlyList<string> Stages);

/// <summary>One <c>ListSecrets</c> entry.</summary>
internal sealed record SecretsManagerEntry(string Name, string Arn, IReadOnlyDictionary<string, string> Tags);

/// <summary>
/// The Secrets Manager calls IronCage needs, over the service's JSON 1.1 protocol (<c>POST /</c>,
/// <c>Content-Type: application/x-amz-json-1.1</c>, <c>X-Amz-Target: secretsmanager.{Action}</c>), signed with SigV4 by
/// AWSSDK.Core's <see cref="AWSSigV4Signer"/>. Shapes from botocore's <c>secretsmanager/2017-10-17/service-2.json</c>.
/// </summary>
internal sealed class SecretsManagerClient
{
    private const string ContentType = "application/x-amz-json-1.1";

    /// <summary>The largest <c>MaxResults</c> <c>ListSecrets</c> accepts (<c>MaxResultsType</c>: 1–100).</summary>
    internal const int MaxResults = 100;
    private readonly HttpClient _http;
    private readonly AwsSecretsManagerOptions _options;
    private readonly TimeProvider _time;
    private readonly Lazy<AWSCredentials> _credentials;

    public SecretsManagerClient(HttpClient http, AwsSecretsManagerOptions options, TimeProvider time)
    {
        _http = http;
        _options = options;
        _time = time;
        _credentials = new Lazy<AWSCredentials>(() => options.Credentials ?? DefaultAWSCredentialsIdentityResolver.GetCredentials(null));
        Store = $"AWS Secrets Manager {options.Region}";
    }

    public string Store { get; }

    public async Task<SecretsManagerValue?> GetSecretValueAsync(string secretId, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["SecretId"] = secretId, ["VersionStage"] = AwsSecretsManagerConstants.CurrentStage };
        using var answer = await SendAsync("GetSecretValue", request, secretId, "secretsmanager:GetSecretValue", notFoundIsNull: true, cancellationToken).ConfigureAwait(false);
        if (answer is null)
        {
            return null;
        }

        var root = answer.RootElement;
        var stages = root.TryGetProperty("VersionStages", out var s) ? s.EnumerateArray().Select(e => e.GetString() ?? string.Empty).ToList() : [];
        return new SecretsManagerValue(
            root.GetProperty("Name").GetString() ?? secretId,
            root.GetProperty("VersionId").GetString() ?? string.Empty,
            root.TryGetProperty("SecretString", out var value) ? value.GetString() ?? string.Empty : string.Empty,
            stages);
    }

    public async Task<string> PutSecretValueAsync(string secretId, string clientRequestToken, string secretString, CancellationToken cancellationToken)
    {
        var request = new JsonObject { ["SecretId"] = secretId, ["ClientRequestToken"] = clientRequestToken, ["SecretString"] = secretString };
        using var answer = await SendAsync("PutSecretValue", request, secretId, "secretsmanager:PutSecretValue", notFoundIsNull: false, cancellationToken).ConfigureAwait(false);
        return answer!.RootElement.GetProperty("VersionId").GetString() ?? clientRequestToken;
    }

    public async Task<(List<SecretsManagerEntry> Entries, string? NextToken)> ListSecretsAsync(string? namePrefix, IEnumerable<string> tagKeys, string? nextToken, CancellationToken cancellationToken)
    {
        var filters = new JsonArray();
        if (!string.IsNullOrEmpty(namePrefix))
        {
            filters.Add((JsonNode)new JsonObject { ["Key"] = "name", ["Values"] = new JsonArray(namePrefix) });
        }

        foreach (var tagKey in tagKeys)
        {
            filters.Add((JsonNode)new JsonObject { ["Key"] = "tag-key", ["Values"] = new JsonArray(tagKey) });
        }

        // MaxResults is 1–100 (MaxResultsType); Filters may hold at most 10 entries of at most 10 values each.
        var request = new JsonObject { ["MaxResults"] = MaxResults };
        if (filters.Count > 0)
        {
            request["Filters"] = filters;
        }

        if (nextToken is not null)
        {
            request["NextToken"] = nextToken;
        }

        using var answer = await SendAsync("ListSecrets", request, "*", "secretsmanager:ListSecrets", notFoundIsNull: false, cancellationToken).ConfigureAwait(false);
        var root = answer!.RootElement;
        var entries = new List<SecretsManagerEntry>();
        foreach (var item in root.GetProperty("SecretList").EnumerateArray())
        {
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            if (item.TryGetProperty("Tags", out var tagArray))
            {
                foreach (var tag in tagArray.EnumerateArray())
                {
                    tags[tag.GetProperty("Key").GetString() ?? string.Empty] = tag.TryGetProperty("Value", out var v) ? v.GetString() ?? string.Empty : string.Empty;
                }
            }

            entries.Add(new SecretsManagerEntry(item.GetProperty("Name").GetString() ?? string.Empty, item.GetProperty("ARN").GetString() ?? string.Empty, tags));
        }

        return (entries, root.TryGetProperty("NextToken", out var next) ? next.GetString() : null);
    }

    private async Task<JsonDocument?> SendAsync(string action, JsonObject body, string secretId, string permission, bool notFoundIsNull, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
        HttpResponseMessage response;
        try
        {
            using var request = await SignedAsync(action, bytes, cancellationToken).ConfigureAwait(false);
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception)
        {
            throw new SecretStoreException(Store, SecretStoreErrorKind.Transient, $"{Store}: {action} on {secretId} could not reach {_options.Endpoint.Host} ({exception.HttpRequestError}). Check the region, the endpoint and this host's network path to it.", exception);
        }
        catch (AmazonClientException exception)
        {
            throw new SecretStoreException(Store, SecretStoreErrorKind.Unauthenticated, $"{Store}: {action} on {secretId} found no AWS credentials ({exception.GetType().Name}). Set Credentials, or give this host a role, profile or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.", exception);
        }

        using (response)
        {
            var text = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return JsonDocument.Parse(text);
            }

            var (type, message) = ReadError(text, response);
            if (notFoundIsNull && type == "ResourceNotFoundException")
            {
                return null;
            }

            throw Error(action, secretId, permission, (int)response.StatusCode, type, message, response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null);
        }
    }

    private SecretStoreException Error(string action, string secretId, string permission, int status, string? type, string? message, string? requestId)
    {
        var kind = type switch
        {
            "UnrecognizedClientException" or "InvalidSignatureException" or "MissingAuthenticationTokenException" or "IncompleteSignatureException" or "ExpiredTokenException" or "InvalidClientTokenId" => SecretStoreErrorKind.Unauthenticated,
            "AccessDeniedException" => SecretStoreErrorKind.Forbidden,
            "ResourceNotFoundException" => SecretStoreErrorKind.NotFound,
            "ResourceExistsException" => SecretStoreErrorKind.Conflict,
            "DecryptionFailure" or "EncryptionFailure" => SecretStoreErrorKind.Forbidden,
            "ThrottlingException" => SecretStoreErrorKind.Throttled,
            "InternalServiceError" => SecretStoreErrorKind.Transient,
            _ => status >= 500 ? SecretStoreErrorKind.Transient : SecretStoreErrorKind.Unknown,
        };
        var fix = (kind, type) switch
        {
            (_, "DecryptionFailure" or "EncryptionFailure") => $"Secrets Manager could not use the secret's KMS key: allow kms:Decrypt and kms:GenerateDataKey on it to the principal (and check the key is enabled).",
            (_, "InvalidRequestException") => "The secret's state does not allow the call: it may be scheduled for deletion (restore it with aws secretsmanager restore-secret) or be managed by another AWS service.",
            (_, "InvalidParameterException" or "ValidationException") => "Secrets Manager rejected a parameter: check the secret id (name or ARN) and, for a JSON-map secret, that it holds a JSON object.",
            (_, "LimitExceededException") => "The secret has too many versions or the account too many secrets; remove unlabelled versions or raise the quota.",
            (_, "InvalidNextTokenException") => "The listing's NextToken expired; the next poll starts over.",

            (SecretStoreErrorKind.Unauthenticated, _) => "AWS rejected the credentials: check the access key id and secret (or the role), that the clock is right and that the signing region is the secret's.",
            (SecretStoreErrorKind.Forbidden, _) => $"Allow {permission} on the secret in the principal's IAM policy (and kms:Decrypt/kms:GenerateDataKey on its KMS key if it uses a customer managed key).",
            (SecretStoreErrorKind.NotFound, _) => "Check the secret's name or ARN and the region; the target never creates secrets: create it with aws secretsmanager create-secret.",
            (SecretStoreErrorKind.Conflict, _) => "A version with this client request token already holds another value; the secret changed under IronCage: look at its versions.",
            (SecretStoreErrorKind.Throttled, _) => "Secrets Manager throttled the call; it is retried later.",
            _ => "Retry later.",
        };
        var said = message is null ? string.Empty : " AWS said: " + (message.Length > 300 ? message[..300] + "…" : message);
        return new SecretStoreException(Store, kind, $"{Store}: {action} on {secretId} failed with {status} ({type ?? "no error type"}).{said} {fix}")
        {
            StatusCode = status,
            ErrorCode = type,
            RequestId = requestId,
        };
    }

    private static (string? Type, string? Message) ReadError(byte[] body, HttpResponseMessage response)
    {
        string? type = null;
        string? message = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            type = document.RootElement.TryGetProperty("__type", out var t) ? t.GetString() : null;
            message = document.RootElement.TryGetProperty("message", out var m) ? m.GetString() : document.RootElement.TryGetProperty("Message", out var m2) ? m2.GetString() : null;
        }
        catch (JsonException)
        {
            // A proxy's error page: the header or the status decides.
        }

        type ??= response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.FirstOrDefault() : null;

        // "__type" may carry a namespace ("com.amazonaws.secretsmanager#ResourceNotFoundException") and the header a ":…" suffix.
        if (type is not null)
        {
            type = type.Split(':')[0];
            type = type[(type.LastIndexOf('#') + 1)..];
        }

        return (type, message);
    }

    private async ValueTask<HttpRequestMessage> SignedAsync(string action, byte[] body, CancellationToken cancellationToken)
    {
        var target = "secretsmanager." + action;
        var signing = new AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = _options.Endpoint, Content = body };
        signing.Headers["Content-Type"] = ContentType;
        signing.Headers["X-Amz-Target"] = target;
        var signed = await AWSSigV4Signer.SignAsync(
            signing,
            new AWSSigV4Parameters
            {
                Credentials = _credentials.Value,
                Region = RegionEndpoint.GetBySystemName(_options.Region),
                Service = AwsSecretsManagerConstants.SigningService,
                SignPayload = true,
                SignedAt = _time.GetUtcNow().UtcDateTime,
            },
            cancellationToken).ConfigureAwait(false);

        var request = new HttpRequestMessage(HttpMethod.Post, _options.Endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);

        // The signer returns the headers it added (date, payload hash, authorization), not the ones it was given.
        request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        foreach (var (name, value) in signed.Headers)
        {
            if (!string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase) && !string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase) && !string.Equals(name, "X-Amz-Target", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }
}
