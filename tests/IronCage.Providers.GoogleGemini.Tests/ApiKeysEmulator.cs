using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IronCage.Providers.GoogleGemini;

namespace IronCage.Providers.GoogleGemini.Tests;

/// <summary>
/// A scripted, stateful Google: the API Keys API v2 for one project (create, get, getKeyString, list with paging,
/// delete with etag, undelete, all mutations as long-running operations polled through <c>operations/*</c>, errors in
/// the <c>google.rpc.Status</c> shape) and the Gemini models list that accepts a live key's string in
/// <c>x-goog-api-key</c> and answers anything else with 400 <c>API_KEY_INVALID</c>. Deleted keys stay for undelete.
/// </summary>
internal sealed partial class ApiKeysEmulator : HttpMessageHandler
{
    public const string Project = "123456789";
    public const string Token = "ya29.test-token";
    public const string Parent = "projects/" + Project + "/locations/global";
    public const string Api = "https://apikeys.googleapis.com/v2/";
    public const string Gemini = "https://generativelanguage.googleapis.com/v1beta/models";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Key> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Operation> _operations = new(StringComparer.Ordinal);
    private int _sequence;

    /// <summary>Gets or sets the emulator's time, for createTime and deleteTime; <see cref="Host"/> ties it to the host's clock.</summary>
    public Func<DateTimeOffset> Now { get; set; } = () => new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>Gets or sets how many keys one list page holds at most, so that paging (<c>nextPageToken</c>) is exercised.</summary>
    public int PageSize { get; set; } = 1;

    /// <summary>Gets or sets how many polls an operation answers <c>done: false</c> before it is done.</summary>
    public int PendingPolls { get; set; } = 1;

    /// <summary>Gets or sets a value indicating whether keys created from now on are refused by Gemini.</summary>
    public bool NewKeysFailVerification { get; set; }

    /// <summary>Gets or sets the error (a <c>google.rpc.Status</c>) the next create operation finishes with, instead of creating a key.</summary>
    public JsonObject? FailNextCreate { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the next create starts its operation, which finishes on Google's side (the
    /// key exists), and then answers 500: Google acted, the caller cannot know.
    /// </summary>
    public bool FailNextCreateAfterActing { get; set; }

    /// <summary>Gets the key id of every create request, in order (refused ones included).</summary>
    public List<string?> CreateRequests { get; } = [];

    /// <summary>Gets the calls in the order they came, as <c>METHOD path</c>.</summary>
    public List<string> Calls { get; } = [];

    /// <summary>Gets every key string this emulator ever issued, for leak checks.</summary>
    public List<string> AllKeyStrings { get; } = [];

    public IReadOnlyList<Key> Keys
    {
        get
        {
            lock (_gate)
            {
                return [.. _keys.Values];
            }
        }
    }

    public static ProviderKeyContext Context(string? templateKeyId = null, string name = "prod") => new()
    {
        Key = new KeyReference(ProviderId.GoogleGemini, name),
        Scope = templateKeyId is null
            ? new Dictionary<string, string> { [GoogleGeminiConstants.ProjectScopeKey] = Project }
            : new Dictionary<string, string> { [GoogleGeminiConstants.ProjectScopeKey] = Project, [GoogleGeminiConstants.TemplateKeyScopeKey] = templateKeyId },
    };

    public CloudProviderTestHost Host(Action<GoogleGeminiProviderOptions>? configure = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? hostServices = null)
    {
        var host = new CloudProviderTestHost(
            b => b.AddGoogleGemini("google", o =>
            {
                o.AccessToken = Token;
                o.PollInterval = TimeSpan.FromMilliseconds(1);
                o.MaxPollInterval = TimeSpan.FromMilliseconds(5);
                o.RetryDelay = TimeSpan.FromMilliseconds(1);
                configure?.Invoke(o);
            }),
            GoogleGeminiConstants.HttpClientName,
            this,
            hostServices: hostServices);
        Now = () => host.Clock.GetCurrentInstant().ToDateTimeOffset();
        return host;
    }

    /// <summary>Puts a key in the project directly (as the console would), restricted to a server IP range and Gemini.</summary>
    public Key Seed(string keyId)
    {
        lock (_gate)
        {
            var restrictions = new JsonObject
            {
                ["serverKeyRestrictions"] = new JsonObject { ["allowedIps"] = new JsonArray("203.0.113.0/24") },
                ["apiTargets"] = new JsonArray(new JsonObject { ["service"] = GoogleGeminiConstants.GenerativeLanguageService }),
            };
            var key = NewKey(keyId, "Gemini prod (console)", restrictions, new JsonObject(), Now().AddDays(-60));
            _keys[key.Name] = key;
            return key;
        }
    }

    public Key? Find(string keyId)
    {
        lock (_gate)
        {
            return _keys.GetValueOrDefault($"{Parent}/keys/{keyId}");
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        var path = uri.GetLeftPart(UriPartial.Path);
        var query = ParseQuery(uri.Query);
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            Calls.Add($"{request.Method} {uri.AbsolutePath}");
            if (path == Gemini && request.Method == HttpMethod.Get)
            {
                return VerifyGemini(request);
            }

            if (!path.StartsWith(Api, StringComparison.Ordinal))
            {
                return Status(HttpStatusCode.NotFound, "NOT_FOUND", "No such route.");
            }

            if (request.Headers.Authorization is not { Scheme: "Bearer", Parameter: Token })
            {
                return Status(HttpStatusCode.Unauthorized, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.");
            }

            // Uri.AbsolutePath keeps %-escapes; resource names here never need any.
            var resource = Uri.UnescapeDataString(path[Api.Length..]);
            if (request.Method == HttpMethod.Post && resource == Parent + "/keys")
            {
                return Create(query.GetValueOrDefault("keyId"), body);
            }

            if (request.Method == HttpMethod.Get && resource == Parent + "/keys")
            {
                return List(query);
            }

            if (request.Method == HttpMethod.Get && resource.StartsWith("operations/", StringComparison.Ordinal))
            {
                return Poll(resource);
            }

            if (request.Method == HttpMethod.Get && resource.EndsWith("/keyString", StringComparison.Ordinal))
            {
                return _keys.TryGetValue(resource[..^"/keyString".Length], out var withString)
                    ? Json(HttpStatusCode.OK, new JsonObject { ["keyString"] = withString.KeyString })
                    : NotFound(resource);
            }

            if (request.Method == HttpMethod.Post && resource.EndsWith(":undelete", StringComparison.Ordinal))
            {
                return Undelete(resource[..^":undelete".Length], body);
            }

            if (!resource.StartsWith(Parent + "/keys/", StringComparison.Ordinal))
            {
                return Status(HttpStatusCode.NotFound, "NOT_FOUND", $"Method not found or project {resource} unknown.");
            }

            if (request.Method == HttpMethod.Get)
            {
                return _keys.TryGetValue(resource, out var key) ? Json(HttpStatusCode.OK, Describe(key)) : NotFound(resource);
            }

            return request.Method == HttpMethod.Delete ? Delete(resource, query.GetValueOrDefault("etag")) : Status(HttpStatusCode.NotFound, "NOT_FOUND", "No such route.");
        }
    }

    [GeneratedRegex("^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex KeyIdPattern();

    private static Dictionary<string, string> ParseQuery(string query)
        => query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : string.Empty, StringComparer.Ordinal);

    private static HttpResponseMessage Json(HttpStatusCode status, JsonNode json) => new(status) { Content = new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json") };

    /// <summary>An error in the <c>google.rpc.Status</c> shape every Google API answers with.</summary>
    public static HttpResponseMessage Status(HttpStatusCode status, string code, string message, string? reason = null)
    {
        var error = new JsonObject { ["code"] = (int)status, ["message"] = message, ["status"] = code };
        if (reason is not null)
        {
            error["details"] = new JsonArray(new JsonObject { ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo", ["reason"] = reason, ["domain"] = "googleapis.com", ["metadata"] = new JsonObject { ["service"] = "apikeys.googleapis.com" } });
        }

        return Json(status, new JsonObject { ["error"] = error });
    }

    private static HttpResponseMessage NotFound(string name) => Status(HttpStatusCode.NotFound, "NOT_FOUND", $"Key {name} not found.");

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture);

    private static JsonObject Describe(Key key)
    {
        var json = new JsonObject
        {
            ["name"] = key.Name,
            ["uid"] = key.Uid,
            ["displayName"] = key.DisplayName,
            ["createTime"] = Time(key.CreateTime),
            ["updateTime"] = Time(key.UpdateTime),
            ["annotations"] = key.Annotations.DeepClone(),
            ["restrictions"] = key.Restrictions.DeepClone(),
            ["etag"] = key.Etag,
        };
        if (key.DeleteTime is { } deleted)
        {
            json["deleteTime"] = Time(deleted);
        }

        return json;
    }

    private Key NewKey(string keyId, string? displayName, JsonObject restrictions, JsonObject annotations, DateTimeOffset created)
    {
        var keyString = "AIza" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(27)).Replace('+', '-').Replace('/', '_')[..35];
        AllKeyStrings.Add(keyString);
        return new Key($"{Parent}/keys/{keyId}", Guid.NewGuid().ToString(), displayName, keyString, created, created, null, NewEtag(), annotations, restrictions, NewKeysFailVerification);
    }

    private string NewEtag() => $"W/\"{++_sequence:x8}\"";

    private HttpResponseMessage StartOperation(Func<JsonNode> complete)
    {
        var name = $"operations/akmf.p7-{Project}-{Guid.NewGuid():N}";
        var operation = new Operation(name, PendingPolls, complete);
        _operations[name] = operation;
        return Json(HttpStatusCode.OK, operation.Render());
    }

    private HttpResponseMessage Create(string? keyId, string? body)
    {
        CreateRequests.Add(keyId);
        if (keyId is null || !KeyIdPattern().IsMatch(keyId) || Guid.TryParse(keyId, out _))
        {
            return Status(HttpStatusCode.BadRequest, "INVALID_ARGUMENT", $"Invalid key id '{keyId}'.", "INVALID_KEY_ID");
        }

        if (_keys.ContainsKey($"{Parent}/keys/{keyId}"))
        {
            return Status(HttpStatusCode.Conflict, "ALREADY_EXISTS", $"Key {keyId} already exists.");
        }

        var requested = JsonNode.Parse(body ?? "{}")!.AsObject();
        if (requested["displayName"]?.GetValue<string>() is { Length: > GoogleGeminiConstants.MaxDisplayNameLength })
        {
            return Status(HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "displayName is longer than 63 characters.");
        }

        if (FailNextCreate is { } failure)
        {
            FailNextCreate = null;
            return StartOperation(() => new JsonObject { ["error"] = failure.DeepClone() });
        }

        var key = NewKey(keyId, requested["displayName"]?.GetValue<string>(), requested["restrictions"]?.DeepClone().AsObject() ?? new JsonObject(), requested["annotations"]?.DeepClone().AsObject() ?? new JsonObject(), Now());
        if (FailNextCreateAfterActing)
        {
            FailNextCreateAfterActing = false;
            _keys[key.Name] = key;
            return Status(HttpStatusCode.InternalServerError, "INTERNAL", "Internal error encountered.");
        }

        return StartOperation(() =>
        {
            _keys[key.Name] = key;
            var response = Describe(key);
            response.Insert(0, "@type", "type.googleapis.com/google.api.apikeys.v2.Key");
            return new JsonObject { ["response"] = response };
        });
    }

    private HttpResponseMessage List(Dictionary<string, string> query)
    {
        var showDeleted = query.GetValueOrDefault("showDeleted") == "true";
        var size = query.TryGetValue("pageSize", out var asked) ? Math.Min(int.Parse(asked, System.Globalization.CultureInfo.InvariantCulture), PageSize) : PageSize;
        var start = query.TryGetValue("pageToken", out var token) ? int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), System.Globalization.CultureInfo.InvariantCulture) : 0;
        var visible = _keys.Values.Where(k => showDeleted || k.DeleteTime is null).OrderBy(k => k.Name, StringComparer.Ordinal).ToList();
        var page = visible.Skip(start).Take(size).ToList();
        var next = start + page.Count < visible.Count ? Convert.ToBase64String(Encoding.UTF8.GetBytes((start + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture))) : string.Empty;
        return Json(HttpStatusCode.OK, new JsonObject { ["keys"] = new JsonArray([.. page.Select(Describe)]), ["nextPageToken"] = next });
    }

    private HttpResponseMessage Delete(string name, string? etag)
    {
        if (!_keys.TryGetValue(name, out var key))
        {
            return NotFound(name);
        }

        if (etag is not null && etag != key.Etag)
        {
            return Status(HttpStatusCode.Conflict, "ABORTED", "The etag does not match the key's current etag.");
        }

        if (key.DeleteTime is not null)
        {
            return Status(HttpStatusCode.BadRequest, "FAILED_PRECONDITION", $"Key {name} is already deleted.");
        }

        return StartOperation(() =>
        {
            var deleted = _keys[name] = key with { DeleteTime = Now(), UpdateTime = Now(), Etag = NewEtag() };
            var response = Describe(deleted);
            response.Insert(0, "@type", "type.googleapis.com/google.api.apikeys.v2.Key");
            return new JsonObject { ["response"] = response };
        });
    }

    private HttpResponseMessage Undelete(string name, string? body)
    {
        if (body != "{}")
        {
            return Status(HttpStatusCode.BadRequest, "INVALID_ARGUMENT", "undelete takes an empty UndeleteKeyRequest body.");
        }

        if (!_keys.TryGetValue(name, out var key))
        {
            return NotFound(name);
        }

        if (key.DeleteTime is not { } deleted || Now() - deleted > TimeSpan.FromDays(30))
        {
            return Status(HttpStatusCode.BadRequest, "FAILED_PRECONDITION", $"Key {name} is not deleted or can no longer be undeleted.");
        }

        return StartOperation(() =>
        {
            var restored = _keys[name] = key with { DeleteTime = null, UpdateTime = Now(), Etag = NewEtag() };
            var response = Describe(restored);
            response.Insert(0, "@type", "type.googleapis.com/google.api.apikeys.v2.Key");
            return new JsonObject { ["response"] = response };
        });
    }

    private HttpResponseMessage Poll(string name)
    {
        if (!_operations.TryGetValue(name, out var operation))
        {
            return Status(HttpStatusCode.NotFound, "NOT_FOUND", $"Operation {name} not found.");
        }

        operation.Advance();
        return Json(HttpStatusCode.OK, operation.Render());
    }

    private HttpResponseMessage VerifyGemini(HttpRequestMessage request)
    {
        var keyString = request.Headers.TryGetValues("x-goog-api-key", out var values) ? values.Single() : null;
        var live = _keys.Values.Any(k => k.KeyString == keyString && k.DeleteTime is null && !k.RefusedByGemini);
        return live
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(File.ReadAllText(Path.Combine("TestData", "GeminiModels.json")), Encoding.UTF8, "application/json") }
            : new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent(File.ReadAllText(Path.Combine("TestData", "GeminiApiKeyInvalid.json")), Encoding.UTF8, "application/json") };
    }

    /// <summary>One API key as the project holds it.</summary>
    internal sealed record Key(string Name, string Uid, string? DisplayName, string KeyString, DateTimeOffset CreateTime, DateTimeOffset UpdateTime, DateTimeOffset? DeleteTime, string Etag, JsonObject Annotations, JsonObject Restrictions, bool RefusedByGemini)
    {
        public string KeyId => Name[(Name.LastIndexOf('/') + 1)..];
    }

    /// <summary>A long-running operation: not done for a number of polls, then done with the outcome its completion yields (applied once).</summary>
    private sealed class Operation
    {
        private readonly string _name;
        private readonly Func<JsonNode> _complete;
        private int _pending;
        private JsonNode? _outcome;

        public Operation(string name, int pending, Func<JsonNode> complete)
        {
            _name = name;
            _complete = complete;
            _pending = pending;
            _outcome = pending <= 0 ? complete() : null;
        }

        public void Advance()
        {
            if (_outcome is null && --_pending <= 0)
            {
                _outcome = _complete();
            }
        }

        public JsonObject Render()
        {
            var json = new JsonObject { ["name"] = _name, ["metadata"] = new JsonObject { ["@type"] = "type.googleapis.com/google.protobuf.Empty" }, ["done"] = _outcome is not null };
            if (_outcome is JsonObject outcome)
            {
                foreach (var (property, value) in outcome)
                {
                    json[property] = value?.DeepClone();
                }
            }

            return json;
        }
    }
}
