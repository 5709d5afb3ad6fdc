using System.Globalization;
using System.Net;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using IronCage.Providers.AwsBedrock;

namespace IronCage.Providers.AwsBedrock.Tests;

/// <summary>
/// A scripted, stateful AWS: the IAM Query API's service-specific credential calls (<c>POST https://iam.amazonaws.com/</c>,
/// form bodies, XML answers and <c>ErrorResponse</c> errors as botocore's IAM model documents them) for one account, and
/// the Bedrock control plane's <c>GET /foundation-models</c> that accepts a live credential's secret as a bearer token.
/// Credentials live in memory; IAM's two-credentials-per-user-and-service limit answers 409 <c>LimitExceeded</c>.
/// </summary>
internal sealed class IamEmulator : HttpMessageHandler
{
    public const string User = "bedrock-user";
    public const string AccountId = "123456789012";
    public const string AccessKey = "AKIDEXAMPLE";
    public const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    public const string Bedrock = "https://bedrock.us-east-1.amazonaws.com/foundation-models";

    private readonly Lock _gate = new();
    private readonly List<Credential> _credentials = [];
    private int _sequence;

    /// <summary>Gets or sets the emulator's time, for CreateDate and ExpirationDate; <see cref="Host"/> ties it to the host's clock.</summary>
    public Func<DateTimeOffset> Now { get; set; } = () => new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Gets or sets how many credentials one list page holds, so that paging (<c>Marker</c>) is exercised.</summary>
    public int PageSize { get; set; } = 1;

    /// <summary>Gets or sets a value indicating whether credentials created from now on are refused by Bedrock.</summary>
    public bool NewKeysFailVerification { get; set; }

    /// <summary>Gets or sets a value indicating whether the next create makes the credential and then answers 500 <c>ServiceFailure</c>: IAM acted, the caller cannot know.</summary>
    public bool FailNextCreateAfterActing { get; set; }

    /// <summary>Gets or sets how many of the next IAM calls answer 400 <c>Throttling</c>.</summary>
    public int ThrottleNext { get; set; }

    /// <summary>Gets the IAM actions in the order they were called (throttled ones included).</summary>
    public List<string> Actions { get; } = [];

    /// <summary>Gets every secret this emulator ever issued, for leak checks.</summary>
    public List<string> AllSecrets { get; } = [];

    /// <summary>Gets the requests that reached IAM without a SigV4 Authorization header and X-Amz-Date.</summary>
    public int UnsignedRequests { get; private set; }

    public IReadOnlyList<Credential> Credentials
    {
        get
        {
            lock (_gate)
            {
                return [.. _credentials];
            }
        }
    }

    public static ProviderKeyContext Context(string name = "prod") => new()
    {
        Key = new KeyReference(ProviderId.AwsBedrock, name),
        Scope = new Dictionary<string, string> { [AwsBedrockConstants.UserNameScopeKey] = User },
    };

    public CloudProviderTestHost Host(Action<AwsBedrockProviderOptions>? configure = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? hostServices = null)
    {
        var host = new CloudProviderTestHost(
            b => b.AddAwsBedrock("aws", o =>
            {
                o.AccessKeyId = AccessKey;
                o.SecretAccessKey = SecretKey;
                o.RetryDelay = TimeSpan.FromMilliseconds(1);
                configure?.Invoke(o);
            }),
            AwsBedrockConstants.HttpClientName,
            this,
            hostServices: hostServices);
        Now = () => host.Clock.GetCurrentInstant().ToDateTimeOffset();
        return host;
    }

    /// <summary>Puts a credential in IAM directly (as the console would) and returns it with its secret.</summary>
    public Credential Seed(string status = "Active", DateTimeOffset? created = null)
    {
        lock (_gate)
        {
            var credential = NewCredential(null, created ?? Now().AddDays(-30)) with { Status = status };
            _credentials.Add(credential);
            return credential;
        }
    }

    public Credential? Find(string id)
    {
        lock (_gate)
        {
            return _credentials.Find(c => c.Id == id);
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri!.GetLeftPart(UriPartial.Path) == Bedrock && request.Method == HttpMethod.Get)
        {
            return VerifyBedrock(request);
        }

        if (request.RequestUri.GetLeftPart(UriPartial.Path) != "https://iam.amazonaws.com/" || request.Method != HttpMethod.Post)
        {
            return new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("no such route: " + request.Method + " " + request.RequestUri) };
        }

        // Not the whole signature check (AwsBedrockProviderAdapterTests recomputes one), but its shape: AWS answers an
        // unsigned or wrongly scoped request with an error before it looks at the action.
        var authorization = request.Headers.TryGetValues("Authorization", out var values) ? values.Single() : string.Empty;
        var signed = authorization.StartsWith($"AWS4-HMAC-SHA256 Credential={AccessKey}/", StringComparison.Ordinal)
            && authorization.Contains("/us-east-1/iam/aws4_request, SignedHeaders=", StringComparison.Ordinal)
            && authorization.Contains(", Signature=", StringComparison.Ordinal)
            && request.Headers.Contains("X-Amz-Date");
        var form = ParseForm(await request.Content!.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        var action = form.GetValueOrDefault("Action") ?? string.Empty;
        lock (_gate)
        {
            Actions.Add(action);
            if (!signed)
            {
                UnsignedRequests++;
                return Error(HttpStatusCode.Forbidden, "MissingAuthenticationToken", "Request is missing Authentication Token");
            }

            if (form.GetValueOrDefault("Version") != AwsBedrockConstants.IamApiVersion || request.Content.Headers.ContentType?.ToString() != "application/x-www-form-urlencoded; charset=utf-8")
            {
                return Error(HttpStatusCode.BadRequest, "MalformedQueryString", "Version or content type missing.");
            }

            if (ThrottleNext > 0)
            {
                ThrottleNext--;
                return Error(HttpStatusCode.BadRequest, "Throttling", "Rate exceeded");
            }

            if (form.GetValueOrDefault("UserName") is { } user && user != User)
            {
                return Error(HttpStatusCode.NotFound, "NoSuchEntity", $"The user with name {user} cannot be found.");
            }

            return action switch
            {
                "CreateServiceSpecificCredential" => Create(form),
                "ListServiceSpecificCredentials" => List(form),
                "UpdateServiceSpecificCredential" => Update(form),
                "DeleteServiceSpecificCredential" => Delete(form),
                _ => Error(HttpStatusCode.BadRequest, "InvalidAction", $"Could not find operation {action} for version 2010-05-08"),
            };
        }
    }

    private static Dictionary<string, string> ParseForm(string body)
        => body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), p => p.Length > 1 ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : string.Empty, StringComparer.Ordinal);

    private static HttpResponseMessage Xml(HttpStatusCode status, string xml) => new(status) { Content = new StringContent(xml, Encoding.UTF8, "text/xml") };

    private static HttpResponseMessage Error(HttpStatusCode status, string code, string message)
        => Xml(status, $"""
            <ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
              <Error>
                <Type>Sender</Type>
                <Code>{code}</Code>
                <Message>{SecurityElement.Escape(message)}</Message>
              </Error>
              <RequestId>{Guid.NewGuid()}</RequestId>
            </ErrorResponse>
            """);

    private static string Result(string action, string result)
        => $"""
            <{action}Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
              {(result.Length == 0 ? string.Empty : $"<{action}Result>{result}</{action}Result>")}
              <ResponseMetadata><RequestId>{Guid.NewGuid()}</RequestId></ResponseMetadata>
            </{action}Response>
            """;

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string Describe(Credential c, bool withSecret)
        => $"<CreateDate>{Time(c.CreateDate)}</CreateDate>"
            + (c.ExpirationDate is { } expires ? $"<ExpirationDate>{Time(expires)}</ExpirationDate>" : string.Empty)
            + "<ServiceName>bedrock.amazonaws.com</ServiceName>"
            + $"<ServiceCredentialAlias>{c.Alias}</ServiceCredentialAlias>"
            + (withSecret ? $"<ServiceCredentialSecret>{c.Secret}</ServiceCredentialSecret>" : string.Empty)
            + $"<ServiceSpecificCredentialId>{c.Id}</ServiceSpecificCredentialId>"
            + $"<UserName>{User}</UserName>"
            + $"<Status>{c.Status}</Status>";

    private Credential NewCredential(int? ageDays, DateTimeOffset created)
    {
        var n = ++_sequence;
        var secret = "ABSK" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        AllSecrets.Add(secret);
        return new Credential(
            "ACCA" + Convert.ToHexString(RandomNumberGenerator.GetBytes(9)),
            $"{User}+{n}-at-{AccountId}",
            secret,
            "Active",
            created,
            ageDays is { } days ? created.AddDays(days) : null,
            NewKeysFailVerification);
    }

    private HttpResponseMessage Create(Dictionary<string, string> form)
    {
        if (form.GetValueOrDefault("ServiceName") != AwsBedrockConstants.BedrockServiceName || !form.ContainsKey("UserName"))
        {
            return Error(HttpStatusCode.NotFound, "NotSupportedService", "The specified service is not supported.");
        }

        if (_credentials.Count >= AwsBedrockConstants.MaxCredentialsPerUser)
        {
            return Error(HttpStatusCode.Conflict, "LimitExceeded", "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2");
        }

        int? age = form.TryGetValue("CredentialAgeDays", out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : null;
        if (age is < AwsBedrockConstants.MinCredentialAgeDays or > AwsBedrockConstants.MaxCredentialAgeDays)
        {
            return Error(HttpStatusCode.BadRequest, "ValidationError", "CredentialAgeDays must be between 1 and 36600.");
        }

        var credential = NewCredential(age, Now());
        _credentials.Add(credential);
        if (FailNextCreateAfterActing)
        {
            FailNextCreateAfterActing = false;
            return Xml(HttpStatusCode.InternalServerError, $"<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceFailure</Code><Message>Internal failure.</Message></Error><RequestId>{Guid.NewGuid()}</RequestId></ErrorResponse>");
        }

        return Xml(HttpStatusCode.OK, Result("CreateServiceSpecificCredential", $"<ServiceSpecificCredential>{Describe(credential, withSecret: true)}</ServiceSpecificCredential>"));
    }

    private HttpResponseMessage List(Dictionary<string, string> form)
    {
        var start = form.TryGetValue("Marker", out var marker) ? int.Parse(marker["m-".Length..], CultureInfo.InvariantCulture) : 0;
        var page = _credentials.Skip(start).Take(PageSize).ToList();
        var truncated = start + page.Count < _credentials.Count;
        var members = string.Concat(page.Select(c => $"<member>{Describe(c, withSecret: false)}</member>"));
        return Xml(HttpStatusCode.OK, Result("ListServiceSpecificCredentials", $"<ServiceSpecificCredentials>{members}</ServiceSpecificCredentials><IsTruncated>{(truncated ? "true" : "false")}</IsTruncated>" + (truncated ? $"<Marker>m-{start + page.Count}</Marker>" : string.Empty)));
    }

    private HttpResponseMessage Update(Dictionary<string, string> form)
    {
        var index = _credentials.FindIndex(c => c.Id == form.GetValueOrDefault("ServiceSpecificCredentialId"));
        if (index < 0)
        {
            return Error(HttpStatusCode.NotFound, "NoSuchEntity", "The Service Specific Credential with ID " + form.GetValueOrDefault("ServiceSpecificCredentialId") + " cannot be found.");
        }

        if (form.GetValueOrDefault("Status") is not ("Active" or "Inactive"))
        {
            return Error(HttpStatusCode.BadRequest, "ValidationError", "Status must be Active or Inactive.");
        }

        _credentials[index] = _credentials[index] with { Status = form["Status"] };
        return Xml(HttpStatusCode.OK, Result("UpdateServiceSpecificCredential", string.Empty));
    }

    private HttpResponseMessage Delete(Dictionary<string, string> form)
    {
        var removed = _credentials.RemoveAll(c => c.Id == form.GetValueOrDefault("ServiceSpecificCredentialId"));
        return removed == 0
            ? Error(HttpStatusCode.NotFound, "NoSuchEntity", "The Service Specific Credential with ID " + form.GetValueOrDefault("ServiceSpecificCredentialId") + " cannot be found.")
            : Xml(HttpStatusCode.OK, Result("DeleteServiceSpecificCredential", string.Empty));
    }

    private HttpResponseMessage VerifyBedrock(HttpRequestMessage request)
    {
        var token = request.Headers.Authorization is { Scheme: "Bearer" } bearer ? bearer.Parameter : null;
        bool live;
        lock (_gate)
        {
            live = _credentials.Exists(c => c.Secret == token && c.Status == "Active" && !c.RefusedByBedrock && (c.ExpirationDate is null || c.ExpirationDate > Now()));
        }

        if (live)
        {
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(File.ReadAllText(Path.Combine("TestData", "FoundationModels.json")), Encoding.UTF8, "application/json") };
        }

        var refused = new HttpResponseMessage(HttpStatusCode.Forbidden) { Content = new StringContent(File.ReadAllText(Path.Combine("TestData", "BedrockUnrecognizedClient.json")), Encoding.UTF8, "application/json") };
        refused.Headers.Add("x-amzn-ErrorType", "UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/");
        refused.Headers.Add("x-amzn-RequestId", Guid.NewGuid().ToString());
        return refused;
    }

    /// <summary>One credential as IAM holds it.</summary>
    internal sealed record Credential(string Id, string Alias, string Secret, string Status, DateTimeOffset CreateDate, DateTimeOffset? ExpirationDate, bool RefusedByBedrock);
}
