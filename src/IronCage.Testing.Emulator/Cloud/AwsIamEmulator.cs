using System.Globalization;
using System.Net;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using IronCage.Testing.Emulator.Internal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IronCage.Testing.Emulator;

/// <summary>
/// AWS IAM's service-specific credential calls and the Amazon Bedrock endpoints that accept them, on a loopback Kestrel
/// server. IAM is the Query API at <see cref="BaseAddress"/> (<c>POST /</c>, form body <c>Action=…&amp;Version=2010-05-08</c>,
/// XML <c>{Action}Response</c> answers and <c>ErrorResponse</c> errors as botocore's <c>iam/2010-05-08/service-2.json</c>
/// defines them), every request's SigV4 signature (service <c>iam</c>, region <c>us-east-1</c>) checked against
/// <see cref="AccessKeyId"/>/<see cref="SecretAccessKey"/>: a wrong one answers 403 <c>SignatureDoesNotMatch</c>.
/// Bedrock (<see cref="BedrockBaseAddress"/>: <c>GET foundation-models</c>, <c>POST model/{id}/converse</c>) accepts
/// <c>Authorization: Bearer</c> with the <c>ServiceCredentialSecret</c> of an <c>Active</c> credential, or an Amazon
/// Bedrock short-term API key (<c>bedrock-api-key-…</c>, a pre-signed SigV4 URL) signed for <see cref="BedrockRegion"/>
/// with <see cref="AccessKeyId"/> or with credentials from <see cref="IssueTemporaryCredentials"/> and not expired by
/// the emulator's time; it answers an expired short-term key with 403 <c>ExpiredTokenException</c> and any other key
/// with 403 <c>UnrecognizedClientException</c>.
/// </summary>
/// <remarks>
/// Actions: <c>CreateServiceSpecificCredential</c> (at most 2 per service per user, else 409 <c>LimitExceeded</c>;
/// <c>CredentialAgeDays</c> 1–36600 sets <c>ExpirationDate</c>), <c>ListServiceSpecificCredentials</c> (paged with
/// <c>Marker</c>/<c>MaxItems</c>), <c>UpdateServiceSpecificCredential</c> (<c>Active</c>/<c>Inactive</c>),
/// <c>ResetServiceSpecificCredential</c> (a new secret, the old one refused at once) and
/// <c>DeleteServiceSpecificCredential</c>. Unknown users and credentials answer 404 <c>NoSuchEntity</c>.
/// </remarks>
public sealed partial class AwsIamEmulator : IAsyncDisposable
{
    private const string Namespace = "https://iam.amazonaws.com/doc/2010-05-08/";
    private const string ApiVersion = "2010-05-08";
    private const string BedrockPrefix = "/bedrock/";
    private const int MaxPerService = 2;
    private static readonly string[] SupportedServices = ["bedrock.amazonaws.com", "codecommit.amazonaws.com", "cassandra.amazonaws.com", "logs.amazonaws.com"];
    private readonly object _gate = new();
    private readonly List<Credential> _credentials = [];
    private readonly HashSet<string> _users = new(StringComparer.Ordinal);
    private readonly List<string> _actions = [];
    private readonly List<string> _issuedSecrets = [];
    private readonly List<AwsTemporaryCredentials> _temporary = [];
    private readonly HashSet<string> _failAfterActing = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private WebApplication? _app;
    private int _sequence;
    private int _throttleNext;
    private int _refusedSignatures;
    private int _refusedShortTermKeys;
    private int _pageSize = 100;
    private bool _newCredentialsRefusedByBedrock;

    private AwsIamEmulator(TimeProvider time)
    {
        _time = time;
        _users.Add(UserName);
    }

    /// <summary>Gets the account id aliases name (<c>123456789012</c>).</summary>
    public string AccountId { get; } = "123456789012";

    /// <summary>Gets the IAM user that exists from the start (<c>bedrock-user</c>); add more with <see cref="AddUser"/>.</summary>
    public string UserName { get; } = "bedrock-user";

    /// <summary>Gets the access key id requests must be signed with.</summary>
    public string AccessKeyId { get; } = "AKIAEMULATOR" + RandomNumberGenerator.GetHexString(8).ToUpperInvariant();

    /// <summary>Gets the secret access key requests must be signed with.</summary>
    public string SecretAccessKey { get; } = RandomNumberGenerator.GetHexString(40, lowercase: true);

    /// <summary>Gets the region the emulated Bedrock endpoint serves: short-term keys must be signed for it (<c>us-east-1</c>).</summary>
    public string BedrockRegion { get; } = "us-east-1";

    /// <summary>Gets how many Amazon Bedrock short-term API keys Bedrock refused (malformed, unknown credentials, bad signature or expired).</summary>
    public int RefusedShortTermKeys
    {
        get
        {
            lock (_gate)
            {
                return _refusedShortTermKeys;
            }
        }
    }

    /// <summary>Gets the signing region IAM requires (<c>us-east-1</c>).</summary>
    public string SigningRegion { get; } = "us-east-1";

    /// <summary>Gets IAM's address, playing <c>https://iam.amazonaws.com/</c>; it ends in <c>/</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Gets Bedrock's address, playing <c>https://bedrock.{region}.amazonaws.com/</c>; it ends in <c>/</c>.</summary>
    public Uri BedrockBaseAddress { get; private set; } = null!;

    /// <summary>Gets the IAM actions received, oldest first (refused and throttled ones included).</summary>
    public IReadOnlyList<string> Actions
    {
        get
        {
            lock (_gate)
            {
                return [.. _actions];
            }
        }
    }

    /// <summary>Gets every credential, oldest first, with its current status.</summary>
    public IReadOnlyList<AwsServiceSpecificCredential> Credentials
    {
        get
        {
            lock (_gate)
            {
                return [.. _credentials.Select(Snapshot)];
            }
        }
    }

    /// <summary>Gets every <c>ServiceCredentialSecret</c> the emulator ever issued (seeded, created, reset), deleted ones included, for leak checks.</summary>
    public IReadOnlyList<string> IssuedSecrets
    {
        get
        {
            lock (_gate)
            {
                return [.. _issuedSecrets];
            }
        }
    }

    /// <summary>Gets how many IAM requests were refused for their SigV4 signature (missing, incomplete, wrong key, scope or time).</summary>
    public int RefusedSignatures
    {
        get
        {
            lock (_gate)
            {
                return _refusedSignatures;
            }
        }
    }

    /// <summary>Gets or sets how many IAM calls from now on answer 400 <c>Throttling</c>; 0 ends the throttling.</summary>
    /// <value>The default value is 0.</value>
    public int ThrottledCallsLeft
    {
        get
        {
            lock (_gate)
            {
                return _throttleNext;
            }
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            lock (_gate)
            {
                _throttleNext = value;
            }
        }
    }

    /// <summary>Gets or sets how many credentials one <c>ListServiceSpecificCredentials</c> page holds at most, whatever <c>MaxItems</c> asks, so that <c>Marker</c> paging is exercised.</summary>
    /// <value>The default value is 100.</value>
    public int PageSize
    {
        get
        {
            lock (_gate)
            {
                return _pageSize;
            }
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            lock (_gate)
            {
                _pageSize = value;
            }
        }
    }

    /// <summary>Gets or sets a value indicating whether credentials created from now on (by IAM calls or <see cref="Seed"/>) are refused by Bedrock although IAM lists them <c>Active</c>: a new key that fails verification.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool NewCredentialsRefusedByBedrock
    {
        get
        {
            lock (_gate)
            {
                return _newCredentialsRefusedByBedrock;
            }
        }

        set
        {
            lock (_gate)
            {
                _newCredentialsRefusedByBedrock = value;
            }
        }
    }

    /// <summary>Starts an emulator on 127.0.0.1 with a port the system picks.</summary>
    /// <param name="time">The time credentials are stamped with and expire and signatures are checked against; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator; dispose it to stop it.</returns>
    public static async Task<AwsIamEmulator> StartAsync(TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var emulator = new AwsIamEmulator(time ?? TimeProvider.System);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(emulator.DispatchAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        emulator.BedrockBaseAddress = new Uri(emulator.BaseAddress, BedrockPrefix.TrimStart('/'));
        emulator._app = app;
        return emulator;
    }

    /// <summary>Adds an IAM user that credentials can be created for.</summary>
    /// <param name="userName">The user's name.</param>
    public void AddUser(string userName)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        lock (_gate)
        {
            _users.Add(userName);
        }
    }

    /// <summary>Creates a credential directly (as the console would), to register as the key in use.</summary>
    /// <param name="userName">Its user, <see cref="UserName"/> by default.</param>
    /// <param name="serviceName">Its service, <c>bedrock.amazonaws.com</c> by default.</param>
    /// <param name="age">Its age, so that it was created that long before now; <see langword="null"/> for now.</param>
    /// <returns>The credential, secret included.</returns>
    public AwsServiceSpecificCredential Seed(string? userName = null, string serviceName = "bedrock.amazonaws.com", TimeSpan? age = null)
    {
        lock (_gate)
        {
            var user = userName ?? UserName;
            _users.Add(user);
            var credential = NewCredential(user, serviceName, _time.GetUtcNow() - (age ?? TimeSpan.Zero), null);
            return Snapshot(credential);
        }
    }

    /// <summary>
    /// Issues temporary credentials (an access key pair with a session token, as STS would) that Bedrock accepts in
    /// short-term keys until <paramref name="lifetime"/> from now has passed.
    /// </summary>
    /// <param name="lifetime">How long the credentials are accepted.</param>
    /// <returns>The credentials.</returns>
    public AwsTemporaryCredentials IssueTemporaryCredentials(TimeSpan lifetime)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        var issued = new AwsTemporaryCredentials("ASIAEMULATOR" + RandomNumberGenerator.GetHexString(8).ToUpperInvariant(), RandomNumberGenerator.GetHexString(40, lowercase: true), Convert.ToBase64String(RandomNumberGenerator.GetBytes(96)), _time.GetUtcNow() + lifetime);
        lock (_gate)
        {
            _temporary.Add(issued);
        }

        return issued;
    }

    /// <summary>Sets a credential <c>Inactive</c> directly (as the console would), such as a leftover of an earlier rotation.</summary>
    /// <param name="id">The credential's <c>ServiceSpecificCredentialId</c>.</param>
    /// <exception cref="ArgumentException">No credential has that id.</exception>
    public void Deactivate(string id)
    {
        lock (_gate)
        {
            var credential = _credentials.Find(c => c.Id == id) ?? throw new ArgumentException($"No credential {id}.", nameof(id));
            credential.Inactive = true;
        }
    }

    /// <summary>
    /// Makes the next call of <paramref name="action"/> do its work and then answer 500 <c>ServiceFailure</c>: IAM acted,
    /// the caller cannot know (the ambiguous create).
    /// </summary>
    /// <param name="action">The IAM action, <c>CreateServiceSpecificCredential</c> by default.</param>
    public void FailNextAfterActing(string action = "CreateServiceSpecificCredential")
    {
        ArgumentException.ThrowIfNullOrEmpty(action);
        lock (_gate)
        {
            _failAfterActing.Add(action);
        }
    }

    /// <summary>Makes the next <paramref name="times"/> IAM calls answer 400 <c>Throttling</c>.</summary>
    /// <param name="times">How many calls are throttled.</param>
    public void ThrottleNext(int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(times);
        lock (_gate)
        {
            _throttleNext += times;
        }
    }

    /// <summary>
    /// Creates a handler that sends requests for <c>https://iam.amazonaws.com/</c> and
    /// <c>https://bedrock.{region}.amazonaws.com/</c> to this emulator (keeping the signed <c>Host</c> header), for clients
    /// whose addresses are fixed; other hosts are refused.
    /// </summary>
    /// <returns>A new handler the caller disposes.</returns>
    public HttpMessageHandler CreateHttpMessageHandler() => new LoopbackRedirectHandler(uri =>
        uri.Host == "iam.amazonaws.com" ? new Uri(BaseAddress, uri.PathAndQuery.TrimStart('/'))
        : uri.Host.StartsWith("bedrock.", StringComparison.Ordinal) && uri.Host.EndsWith(".amazonaws.com", StringComparison.Ordinal) ? new Uri(BedrockBaseAddress, uri.PathAndQuery.TrimStart('/'))
        : null);

    /// <summary>Stops the server.</summary>
    /// <returns>A task that completes when the server stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static Task WriteAsync(HttpContext context, int status, string contentType, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        return context.Response.WriteAsync(body, context.RequestAborted);
    }

    private static (int Status, string Body) Error(int status, string code, string message, string type = "Sender")
        => (status, $"<ErrorResponse xmlns=\"{Namespace}\"><Error><Type>{type}</Type><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message></Error><RequestId>{Guid.NewGuid()}</RequestId></ErrorResponse>");

    private static (int Status, string Body) Result(string action, string result)
        => (200, $"<{action}Response xmlns=\"{Namespace}\">" + (result.Length == 0 ? string.Empty : $"<{action}Result>{result}</{action}Result>") + $"<ResponseMetadata><RequestId>{Guid.NewGuid()}</RequestId></ResponseMetadata></{action}Response>");

    private static Dictionary<string, string> ParseForm(string body)
        => body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .GroupBy(p => Uri.UnescapeDataString(p[0].Replace('+', ' ')), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last() is { Length: > 1 } p ? Uri.UnescapeDataString(p[1].Replace('+', ' ')) : string.Empty, StringComparer.Ordinal);

    private static (int Status, string Body) NoSuchCredential(string? id) => Error(404, "NoSuchEntity", $"The Service Specific Credential with ID {id} cannot be found.");

    private async Task DispatchAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path.StartsWith(BedrockPrefix, StringComparison.Ordinal))
        {
            await BedrockAsync(context, path[BedrockPrefix.Length..]).ConfigureAwait(false);
            return;
        }

        if (path != "/" || !HttpMethods.IsPost(context.Request.Method))
        {
            await WriteAsync(context, 404, "text/plain", "no such route").ConfigureAwait(false);
            return;
        }

        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        var (status, xml) = Iam(context, body);
        await WriteAsync(context, status, "text/xml", xml).ConfigureAwait(false);
    }

    private (int Status, string Body) Iam(HttpContext context, string body)
    {
        var form = ParseForm(body);
        var action = form.GetValueOrDefault("Action") ?? string.Empty;
        lock (_gate)
        {
            _actions.Add(action);
            var refused = SigV4Verifier.Verify(context, body, AccessKeyId, SecretAccessKey, SigningRegion, "iam", _time.GetUtcNow()) switch
            {
                null => ((int, string)?)null,
                SigV4Failure.Missing => Error(403, "MissingAuthenticationToken", "Request is missing Authentication Token"),
                SigV4Failure.Incomplete => Error(400, "IncompleteSignature", "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters."),
                SigV4Failure.UnknownAccessKey => Error(403, "InvalidClientTokenId", "The security token included in the request is invalid."),
                SigV4Failure.SignatureMismatch => Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."),
                SigV4Failure.WrongScope => Error(403, "SignatureDoesNotMatch", $"Credential should be scoped to a valid region and service ({SigningRegion}/iam)."),
                _ => Error(403, "SignatureDoesNotMatch", "Signature expired: the request's X-Amz-Date is more than 5 minutes from the server's time."),
            };
            if (refused is { } answer)
            {
                _refusedSignatures++;
                return answer;
            }

            if (form.GetValueOrDefault("Version") != ApiVersion)
            {
                return Error(400, "MissingParameter", "The request must contain the parameter Version.");
            }

            if (_throttleNext > 0)
            {
                _throttleNext--;
                return Error(400, "Throttling", "Rate exceeded");
            }

            var user = form.GetValueOrDefault("UserName") ?? UserName;
            if (!_users.Contains(user))
            {
                return Error(404, "NoSuchEntity", $"The user with name {user} cannot be found.");
            }

            var result = action switch
            {
                "CreateServiceSpecificCredential" => Create(form, user),
                "ListServiceSpecificCredentials" => List(form, user),
                "UpdateServiceSpecificCredential" => Update(form, user),
                "ResetServiceSpecificCredential" => Reset(form, user),
                "DeleteServiceSpecificCredential" => Delete(form, user),
                _ => Error(400, "InvalidAction", $"Could not find operation {action} for version {ApiVersion}"),
            };
            return result.Status == 200 && _failAfterActing.Remove(action) ? Error(500, "ServiceFailure", "Internal failure.", "Receiver") : result;
        }
    }

    private (int Status, string Body) Create(Dictionary<string, string> form, string user)
    {
        var service = form.GetValueOrDefault("ServiceName");
        if (!form.ContainsKey("UserName") || service is null)
        {
            return Error(400, "ValidationError", "1 validation error detected: Value null at 'userName' and 'serviceName' must not be null.");
        }

        if (!SupportedServices.Contains(service, StringComparer.Ordinal))
        {
            return Error(404, "NotSupportedService", $"The specified service {service} is not supported.");
        }

        if (_credentials.Count(c => c.UserName == user && c.ServiceName == service) >= MaxPerService)
        {
            return Error(409, "LimitExceeded", $"Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: {MaxPerService}");
        }

        int? age = null;
        if (form.TryGetValue("CredentialAgeDays", out var text))
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var days) || days is < 1 or > 36600)
            {
                return Error(400, "ValidationError", "1 validation error detected: Value at 'credentialAgeDays' failed to satisfy constraint: Member must have value between 1 and 36600");
            }

            age = days;
        }

        var now = _time.GetUtcNow();
        var credential = NewCredential(user, service, now, age is { } d ? now.AddDays(d) : null);
        return Result("CreateServiceSpecificCredential", $"<ServiceSpecificCredential>{Describe(credential, withSecret: true)}</ServiceSpecificCredential>");
    }

    private (int Status, string Body) List(Dictionary<string, string> form, string user)
    {
        var service = form.GetValueOrDefault("ServiceName");
        var all = _credentials.Where(c => c.UserName == user && (service is null || c.ServiceName == service)).ToList();
        var max = 100;
        if (form.TryGetValue("MaxItems", out var maxText) && (!int.TryParse(maxText, CultureInfo.InvariantCulture, out max) || max is < 1 or > 1000))
        {
            return Error(400, "ValidationError", "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000");
        }

        var start = 0;
        if (form.TryGetValue("Marker", out var marker) && (!marker.StartsWith("m-", StringComparison.Ordinal) || !int.TryParse(marker[2..], CultureInfo.InvariantCulture, out start) || start < 0))
        {
            return Error(400, "ValidationError", "Invalid Marker.");
        }

        var page = all.Skip(start).Take(Math.Min(max, _pageSize)).ToList();
        var truncated = start + page.Count < all.Count;
        var members = string.Concat(page.Select(c => $"<member>{Describe(c, withSecret: false)}</member>"));
        return Result("ListServiceSpecificCredentials", $"<ServiceSpecificCredentials>{members}</ServiceSpecificCredentials><IsTruncated>{(truncated ? "true" : "false")}</IsTruncated>" + (truncated ? $"<Marker>m-{start + page.Count}</Marker>" : string.Empty));
    }

    private (int Status, string Body) Update(Dictionary<string, string> form, string user)
    {
        var id = form.GetValueOrDefault("ServiceSpecificCredentialId");
        if (_credentials.Find(c => c.Id == id && c.UserName == user) is not { } credential)
        {
            return NoSuchCredential(id);
        }

        if (form.GetValueOrDefault("Status") is not ("Active" or "Inactive"))
        {
            return Error(400, "ValidationError", "1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]");
        }

        credential.Inactive = form["Status"] == "Inactive";
        return Result("UpdateServiceSpecificCredential", string.Empty);
    }

    private (int Status, string Body) Reset(Dictionary<string, string> form, string user)
    {
        var id = form.GetValueOrDefault("ServiceSpecificCredentialId");
        if (_credentials.Find(c => c.Id == id && c.UserName == user) is not { } credential)
        {
            return NoSuchCredential(id);
        }

        credential.Secret = NewSecret();
        _issuedSecrets.Add(credential.Secret);
        return Result("ResetServiceSpecificCredential", $"<ServiceSpecificCredential>{Describe(credential, withSecret: true)}</ServiceSpecificCredential>");
    }

    private (int Status, string Body) Delete(Dictionary<string, string> form, string user)
    {
        var id = form.GetValueOrDefault("ServiceSpecificCredentialId");
        return _credentials.RemoveAll(c => c.Id == id && c.UserName == user) == 0 ? NoSuchCredential(id) : Result("DeleteServiceSpecificCredential", string.Empty);
    }

    private string Describe(Credential c, bool withSecret)
        => $"<CreateDate>{Time(c.CreateDate)}</CreateDate>"
            + (c.ExpirationDate is { } expires ? $"<ExpirationDate>{Time(expires)}</ExpirationDate>" : string.Empty)
            + $"<ServiceName>{c.ServiceName}</ServiceName>"
            + $"<ServiceCredentialAlias>{SecurityElement.Escape(c.Alias)}</ServiceCredentialAlias>"
            + (withSecret ? $"<ServiceCredentialSecret>{c.Secret}</ServiceCredentialSecret>" : string.Empty)
            + $"<ServiceSpecificCredentialId>{c.Id}</ServiceSpecificCredentialId>"
            + $"<UserName>{SecurityElement.Escape(c.UserName)}</UserName>"
            + $"<Status>{StatusOf(c)}</Status>";

    private string StatusOf(Credential c)
        => c.Inactive ? "Inactive" : c.ExpirationDate is { } expires && expires <= _time.GetUtcNow() ? "Expired" : "Active";

    private AwsServiceSpecificCredential Snapshot(Credential c)
        => new(c.Id, c.UserName, c.ServiceName, c.Alias, c.Secret, StatusOf(c), c.CreateDate, c.ExpirationDate);

    private static string NewSecret() => "ABSK" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    private Credential NewCredential(string user, string service, DateTimeOffset created, DateTimeOffset? expires)
    {
        var credential = new Credential("ACCA" + RandomNumberGenerator.GetHexString(18), user, service, $"{user}+{++_sequence}-at-{AccountId}", created, expires) { Secret = NewSecret(), RefusedByBedrock = _newCredentialsRefusedByBedrock };
        _credentials.Add(credential);
        _issuedSecrets.Add(credential.Secret);
        return credential;
    }

    private sealed record Credential(string Id, string UserName, string ServiceName, string Alias, DateTimeOffset CreateDate, DateTimeOffset? ExpirationDate)
    {
        public required string Secret { get; set; }

        public bool Inactive { get; set; }

        public bool RefusedByBedrock { get; init; }
    }
}
