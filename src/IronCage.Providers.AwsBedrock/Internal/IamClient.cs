using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Signing;
using IronCage.Internal;
using IronCage.Providers.Http;
using IronCage.Verification;

namespace IronCage.Providers.AwsBedrock;

/// <summary>An IAM service-specific credential's metadata (<c>ServiceSpecificCredentialMetadata</c>), never its secret.</summary>
internal sealed record IamCredential(string Id, string UserName, string ServiceName, string Status, string? Alias, DateTimeOffset? CreateDate, DateTimeOffset? ExpirationDate);

/// <summary>
/// The IAM Query API calls for service-specific credentials (<c>POST https://iam.amazonaws.com/</c>, form bodies,
/// XML answers), signed with SigV4 by AWSSDK.Core's <see cref="AWSSigV4Signer"/>.
/// </summary>
internal sealed class IamClient
{
    private const string FormContentType = "application/x-www-form-urlencoded; charset=utf-8";
    private readonly HttpClient _http;
    private readonly ProviderHttpCalls _calls;
    private readonly AwsBedrockProviderOptions _options;
    private readonly TimeProvider _time;
    private readonly Lazy<AWSCredentials> _credentials;

    public IamClient(HttpClient http, ProviderHttpCalls calls, AwsBedrockProviderOptions options, TimeProvider time)
    {
        _http = http;
        _calls = calls;
        _options = options;
        _time = time;
        _credentials = new Lazy<AWSCredentials>(() => options.Credentials
            ?? (!string.IsNullOrWhiteSpace(options.AccessKeyId) && !string.IsNullOrWhiteSpace(options.SecretAccessKey)
                ? string.IsNullOrWhiteSpace(options.SessionToken)
                    ? new BasicAWSCredentials(options.AccessKeyId, options.SecretAccessKey)
                    : new SessionAWSCredentials(options.AccessKeyId, options.SecretAccessKey, options.SessionToken)
                : DefaultAWSCredentialsIdentityResolver.GetCredentials(null)));
    }

    /// <summary>Creates a credential; the secret (<c>ServiceCredentialSecret</c>) is returned only here.</summary>
    public async Task<(IamCredential Credential, SecretValue Secret)> CreateAsync(string userName, int? ageDays, CancellationToken cancellationToken)
    {
        var parameters = new List<KeyValuePair<string, string>> { new("UserName", userName), new("ServiceName", AwsBedrockConstants.BedrockServiceName) };
        if (ageDays is { } days)
        {
            parameters.Add(new("CredentialAgeDays", days.ToString(CultureInfo.InvariantCulture)));
        }

        using var response = await SendAsync("CreateServiceSpecificCredential", parameters, safeToRetry: false, cancellationToken).ConfigureAwait(false);
        var (credentials, secret, _, _) = ReadCredentials(response.Body, "ServiceSpecificCredential");
        if (credentials.Count != 1 || secret is null)
        {
            secret?.Dispose();
            throw new ProviderRequestException(ProviderId.AwsBedrock, ProviderErrorKind.Unknown, $"{ProviderId.AwsBedrock}: CreateServiceSpecificCredential answered without a credential and its ServiceCredentialSecret. Look for an unexpected credential of IAM user {userName} in the console.") { RequestId = RequestId(response.Body) };
        }

        return (credentials[0], secret);
    }

    /// <summary>Lists a user's Bedrock credentials, every page (<c>Marker</c> / <c>IsTruncated</c>).</summary>
    public async Task<List<IamCredential>> ListAsync(string userName, CancellationToken cancellationToken)
    {
        var all = new List<IamCredential>();
        string? marker = null;
        do
        {
            var parameters = new List<KeyValuePair<string, string>> { new("UserName", userName), new("ServiceName", AwsBedrockConstants.BedrockServiceName) };
            if (marker is not null)
            {
                parameters.Add(new("Marker", marker));
            }

            using var response = await SendAsync("ListServiceSpecificCredentials", parameters, safeToRetry: true, cancellationToken).ConfigureAwait(false);
            var (page, secret, truncated, next) = ReadCredentials(response.Body, "member");
            secret?.Dispose();
            all.AddRange(page);
            marker = truncated ? next : null;
        }
        while (marker is not null);

        return all;
    }

    /// <summary>Sets a credential's status (<c>Active</c> or <c>Inactive</c>).</summary>
    public async Task UpdateStatusAsync(string userName, string credentialId, string status, CancellationToken cancellationToken)
    {
        using var response = await SendAsync("UpdateServiceSpecificCredential", [new("UserName", userName), new("ServiceSpecificCredentialId", credentialId), new("Status", status)], safeToRetry: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a credential.</summary>
    public async Task DeleteAsync(string userName, string credentialId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync("DeleteServiceSpecificCredential", [new("UserName", userName), new("ServiceSpecificCredentialId", credentialId)], safeToRetry: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Encodes a Query API form body (RFC 3986 percent-encoding, as SigV4 expects).</summary>
    internal static string FormBody(string action, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var builder = new StringBuilder("Action=").Append(Uri.EscapeDataString(action)).Append("&Version=").Append(AwsBedrockConstants.IamApiVersion);
        foreach (var (name, value) in parameters)
        {
            builder.Append('&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return builder.ToString();
    }

    /// <summary>Classifies an IAM error code.</summary>
    internal static ProviderErrorKind Classify(string? code, int status) => code switch
    {
        "LimitExceeded" or "EntityAlreadyExists" or "ConcurrentModification" => ProviderErrorKind.Conflict,
        "NoSuchEntity" or "NotSupportedService" => ProviderErrorKind.NotFound,
        "Throttling" or "ThrottlingException" or "RequestLimitExceeded" => ProviderErrorKind.RateLimited,
        "AccessDenied" or "AccessDeniedException" or "UnauthorizedOperation" => ProviderErrorKind.Forbidden,
        "InvalidClientTokenId" or "SignatureDoesNotMatch" or "ExpiredToken" or "IncompleteSignature" or "MissingAuthenticationToken" => ProviderErrorKind.InvalidKey,
        "ServiceFailure" or "InternalFailure" or "ServiceUnavailable" => ProviderErrorKind.Transient,
        "InvalidInput" or "ValidationError" or "MalformedQueryString" or "InvalidParameterValue" => ProviderErrorKind.BadRequest,
        _ => ProviderResponseClassifier.DefaultKind(status) ?? ProviderErrorKind.Unknown,
    };

    private static string? Fix(ProviderErrorKind kind, string? code, string action)
    {
        if (code == "LimitExceeded")
        {
            return "The IAM user already has two Bedrock API keys (IAM's limit): delete or deactivate one that is not in use, or let IronCage delete an Inactive leftover.";
        }

        if (kind == ProviderErrorKind.InvalidKey)
        {
            return "AWS rejected the connection's own credentials: check AccessKeyId/SecretAccessKey or the default chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, container or instance role) and the clock.";
        }

        if (kind == ProviderErrorKind.Forbidden)
        {
            return $"Allow iam:{action} (with iam:CreateServiceSpecificCredential, iam:ListServiceSpecificCredentials, iam:UpdateServiceSpecificCredential, iam:DeleteServiceSpecificCredential) on the IAM user's ARN.";
        }

        return kind == ProviderErrorKind.NotFound ? $"Check the managed key's '{AwsBedrockConstants.UserNameScopeKey}' scope entry (or the connection's UserName) and the credential id." : null;
    }

    /// <summary>Recognises IAM's throttling answer (400 with code Throttling), which is retried like a 429.</summary>
    internal static bool IsThrottled(ProviderHttpResponse response)
        => response.StatusCode == 400 && response.Body.AsSpan().IndexOf("<Code>Throttling</Code>"u8) >= 0;

    // IAM answers throttling with a 400 and an XML body; every other answer is judged by its status.
    private static ProviderErrorKind? ClassifyForRetry(ProviderHttpResponse response)
        => IsThrottled(response) ? ProviderErrorKind.RateLimited : ProviderHttpCalls.StatusKind(response);

    private async Task<ProviderHttpResponse> SendAsync(string action, List<KeyValuePair<string, string>> parameters, bool safeToRetry, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(FormBody(action, parameters));
        var response = await _calls.SendAsync(_http, token => SignedAsync(body, token), action, safeToRetry, cancellationToken, ClassifyForRetry).ConfigureAwait(false);
        if (response.IsSuccess)
        {
            return response;
        }

        using (response)
        {
            throw Error(response, action);
        }
    }

    private async ValueTask<HttpRequestMessage> SignedAsync(byte[] body, CancellationToken cancellationToken)
    {
        var signing = new AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = _options.BaseAddress, Content = body };
        signing.Headers["Content-Type"] = FormContentType;
        var signed = await AWSSigV4Signer.SignAsync(
            signing,
            new AWSSigV4Parameters
            {
                Credentials = _credentials.Value,
                Region = RegionEndpoint.GetBySystemName(_options.SigningRegion),
                Service = AwsBedrockConstants.IamSigningService,
                SignPayload = true,
                SignedAt = _time.GetUtcNow().UtcDateTime,
            },
            cancellationToken).ConfigureAwait(false);

        var request = new HttpRequestMessage(HttpMethod.Post, _options.BaseAddress) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", FormContentType);
        foreach (var (name, value) in signed.Headers)
        {
            if (!string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase) && !string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }

    private static ProviderRequestException Error(ProviderHttpResponse response, string action)
    {
        string? code = null;
        string? message = null;
        string? requestId = null;
        try
        {
            var root = XDocument.Parse(Encoding.UTF8.GetString(response.Body)).Root;
            var error = root?.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            code = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value;
            message = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value;
            requestId = root?.Descendants().FirstOrDefault(e => e.Name.LocalName == "RequestId")?.Value;
        }
        catch (XmlException)
        {
            // Not the Query API's XML (a proxy's error page): the status decides.
        }

        requestId ??= response.Header("x-amzn-RequestId");
        var kind = Classify(code, response.StatusCode);
        if (message is { Length: > 300 })
        {
            message = message[..300] + "…";
        }

        var hint = Fix(kind, code, action);
        var text = string.Create(CultureInfo.InvariantCulture, $"{ProviderId.AwsBedrock}: {action} failed with {response.StatusCode} ({kind}{(code is null ? string.Empty : ", " + code)}).")
            + (message is null ? string.Empty : " AWS said: " + SecretScrubber.Scrub(message))
            + (hint is null ? string.Empty : " " + hint)
            + (requestId is null ? string.Empty : $" Request id: {requestId}.");
        return new ProviderRequestException(ProviderId.AwsBedrock, kind, text)
        {
            StatusCode = response.StatusCode,
            ProviderErrorCode = code,
            RequestId = requestId,
        };
    }

    private static string? RequestId(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        var start = text.IndexOf("<RequestId>", StringComparison.Ordinal);
        var end = start < 0 ? -1 : text.IndexOf("</RequestId>", start, StringComparison.Ordinal);
        return start < 0 || end < 0 ? null : text[(start + "<RequestId>".Length)..end];
    }

    // Streams the XML: credential fields are collected by name, and ServiceCredentialSecret is read in chunks straight
    // into a SecretValue, never into a string.
    private static (List<IamCredential> Credentials, SecretValue? Secret, bool IsTruncated, string? Marker) ReadCredentials(byte[] body, string itemElement)
    {
        var credentials = new List<IamCredential>();
        SecretValue? secret = null;
        var truncated = false;
        string? marker = null;
        using var reader = XmlReader.Create(new MemoryStream(body), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, IgnoreWhitespace = true });
        Dictionary<string, string>? fields = null;
        var itemDepth = -1;
        var positioned = false;
        while (positioned || reader.Read())
        {
            // ReadElementContentAsString and ReadSecret leave the reader on the node after the element they read.
            positioned = false;
            if (reader.NodeType == XmlNodeType.Element)
            {
                if (reader.LocalName == itemElement && fields is null)
                {
                    fields = new Dictionary<string, string>(StringComparer.Ordinal);
                    itemDepth = reader.Depth;
                }
                else if (fields is not null && reader.Depth == itemDepth + 1)
                {
                    var name = reader.LocalName;
                    if (name is "ServiceCredentialSecret" or "ServicePassword")
                    {
                        var value = ReadSecret(reader);
                        if (name == "ServiceCredentialSecret")
                        {
                            secret?.Dispose();
                            secret = value;
                        }
                        else
                        {
                            value.Dispose();
                        }
                    }
                    else
                    {
                        fields[name] = reader.ReadElementContentAsString();
                    }

                    positioned = true;
                }
                else if (fields is null && reader.LocalName == "IsTruncated")
                {
                    truncated = string.Equals(reader.ReadElementContentAsString().Trim(), "true", StringComparison.OrdinalIgnoreCase);
                    positioned = true;
                }
                else if (fields is null && reader.LocalName == "Marker")
                {
                    marker = reader.ReadElementContentAsString();
                    positioned = true;
                }
            }
            else if (reader.NodeType == XmlNodeType.EndElement && fields is not null && reader.Depth == itemDepth)
            {
                credentials.Add(ToCredential(fields));
                fields = null;
            }
        }

        return (credentials, secret, truncated, marker);
    }

    private static SecretValue ReadSecret(XmlReader reader)
    {
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return SecretValue.FromChars([]);
        }

        reader.Read();
        var buffer = new char[512];
        var length = 0;
        try
        {
            if (reader.NodeType is XmlNodeType.Text or XmlNodeType.CDATA)
            {
                int read;
                while ((read = reader.ReadValueChunk(buffer, length, buffer.Length - length)) > 0)
                {
                    length += read;
                    if (length == buffer.Length)
                    {
                        var larger = new char[buffer.Length * 2];
                        buffer.AsSpan(0, length).CopyTo(larger);
                        Array.Clear(buffer);
                        buffer = larger;
                    }
                }

                reader.Read();
            }

            // Now on the end tag of the secret element: step past it like ReadElementContentAsString does.
            if (reader.NodeType == XmlNodeType.EndElement)
            {
                reader.Read();
            }

            return SecretValue.FromChars(buffer.AsSpan(0, length).Trim());
        }
        finally
        {
            Array.Clear(buffer);
        }
    }

    private static IamCredential ToCredential(Dictionary<string, string> fields) => new(
        fields.GetValueOrDefault("ServiceSpecificCredentialId") ?? string.Empty,
        fields.GetValueOrDefault("UserName") ?? string.Empty,
        fields.GetValueOrDefault("ServiceName") ?? string.Empty,
        fields.GetValueOrDefault("Status") ?? string.Empty,
        fields.GetValueOrDefault("ServiceCredentialAlias"),
        Time(fields.GetValueOrDefault("CreateDate")),
        Time(fields.GetValueOrDefault("ExpirationDate")));

    private static DateTimeOffset? Time(string? text)
        => text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
}
