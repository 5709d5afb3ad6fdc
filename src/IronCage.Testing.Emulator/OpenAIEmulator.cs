using System.Text.Json.Nodes;
using IronCage.Providers;
using Microsoft.AspNetCore.Http;

namespace IronCage.Testing.Emulator;

/// <summary>
/// OpenAI as PROVIDERS.md §1 describes it: admin keys, project keys, project service accounts (and their additional
/// keys), cursor paging, <c>GET /v1/models</c>, and a minimal <c>POST /v1/chat/completions</c>.
/// </summary>
public sealed class OpenAIEmulator : EmulatedProvider
{
    // The name OpenAI gives the key a new service account is created with (the official spec's example).
    private const string ServiceAccountKeyName = "Secret Key";

    private readonly List<AdminKeyRecord> _adminKeys = [];
    private readonly List<ProjectKey> _projectKeys = [];
    private readonly List<ServiceAccount> _serviceAccounts = [];
    private readonly HashSet<string> _projects = new(StringComparer.Ordinal) { EmulatorConstants.OpenAIProjectId };

    internal OpenAIEmulator(Uri baseAddress, TimeProvider time)
        : base(baseAddress, time)
    {
        AdminKey = AddAdminKey("ironcage-emulator-admin").Secret;
    }

    /// <summary>Gets the organization's admin key: set it as <c>OpenAIProviderOptions.AdminKey</c>.</summary>
    public string AdminKey { get; }

    /// <summary>Adds a project (in addition to <see cref="EmulatorConstants.OpenAIProjectId"/>).</summary>
    /// <param name="projectId">The project id.</param>
    public void AddProject(string projectId)
    {
        lock (Sync)
        {
            _projects.Add(projectId);
        }
    }

    /// <summary>Seeds an admin key that already exists, for example the one a host registers as the current version.</summary>
    /// <param name="name">The key's name.</param>
    /// <param name="expiresAt">When it expires, if it does.</param>
    /// <returns>The key with its value.</returns>
    public EmulatedKey AddAdminKey(string name = "seeded-admin-key", DateTimeOffset? expiresAt = null)
    {
        var key = new AdminKeyRecord(NewId("key_"), name, FakeKeys.GenerateText(ProviderId.OpenAI, KeyKind.Admin), UnixNow(), expiresAt?.ToUnixTimeSeconds());
        lock (Sync)
        {
            _adminKeys.Add(key);
        }

        return new EmulatedKey(key.Id, key.Name, key.Value);
    }

    /// <summary>Seeds a project key that already exists (owned by a user, or by a new service account of the same name).</summary>
    /// <param name="name">The key's name.</param>
    /// <param name="projectId">The project; it is added if unknown.</param>
    /// <param name="ownedByServiceAccount">Whether a service account owns the key (then deleting it as a project key answers 400).</param>
    /// <returns>The key with its value.</returns>
    public EmulatedKey AddProjectKey(string name = "seeded-project-key", string projectId = EmulatorConstants.OpenAIProjectId, bool ownedByServiceAccount = false)
    {
        lock (Sync)
        {
            _projects.Add(projectId);
            string? accountId = null;
            if (ownedByServiceAccount)
            {
                var account = new ServiceAccount(NewId("svc_acct_"), projectId, name, UnixNow());
                _serviceAccounts.Add(account);
                accountId = account.Id;
            }

            var key = NewProjectKey(projectId, name, accountId);
            return new EmulatedKey(key.Id, key.Name, key.Value);
        }
    }

    /// <summary>Creates a service account without a key, for managed keys that mint additional keys of one account (<c>service_account_id</c> scope entry).</summary>
    /// <param name="name">The account's name.</param>
    /// <param name="projectId">The project; it is added if unknown.</param>
    /// <returns>The account's id.</returns>
    public string AddServiceAccount(string name = "seeded-service-account", string projectId = EmulatorConstants.OpenAIProjectId)
    {
        lock (Sync)
        {
            _projects.Add(projectId);
            var account = new ServiceAccount(NewId("svc_acct_"), projectId, name, UnixNow());
            _serviceAccounts.Add(account);
            return account.Id;
        }
    }

    /// <summary>Tells whether a value is a live project key (the ones <c>GET /v1/models</c> accepts).</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when live.</returns>
    public bool IsValid(string key)
    {
        lock (Sync)
        {
            return _projectKeys.Exists(k => k.Value == key);
        }
    }

    /// <summary>Tells whether a value is a live, unexpired admin key.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when live.</returns>
    public bool IsValidAdminKey(string key)
    {
        lock (Sync)
        {
            return FindAdmin(key) is not null;
        }
    }

    private protected override async Task HandleAsync(HttpContext context, string path)
    {
        var method = context.Request.Method;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments is ["v1", "models"] && method == "GET")
        {
            await InferenceAsync(context, () => WriteJsonAsync(context, 200, new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(Model("gpt-4o-mini"), Model("gpt-4.1")),
            })).ConfigureAwait(false);
            return;
        }

        if (segments is ["v1", "chat", "completions"] && method == "POST")
        {
            await InferenceAsync(context, async () => await WriteChatCompletionAsync(context, await ReadJsonAsync(context).ConfigureAwait(false)).ConfigureAwait(false)).ConfigureAwait(false);
            return;
        }

        if (segments is not ["v1", "organization", ..])
        {
            await WriteErrorAsync(context, 404, "unknown_url", $"Unknown request URL: {method} /{path}.").ConfigureAwait(false);
            return;
        }

        var bearer = BearerToken(context);
        bool authorized;
        bool isProjectKey;
        lock (Sync)
        {
            authorized = bearer is not null && FindAdmin(bearer) is not null;
            isProjectKey = bearer is not null && _projectKeys.Exists(k => k.Value == bearer);
        }

        if (!authorized)
        {
            await (isProjectKey
                ? WriteErrorAsync(context, 403, "insufficient_permissions", "You have insufficient permissions for this operation: an Admin API key is required.")
                : WriteErrorAsync(context, 401, "invalid_api_key", "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.")).ConfigureAwait(false);
            return;
        }

        var (status, body) = segments[2..] switch
        {
            ["admin_api_keys"] when method == "GET" => (200, ListAdminKeys(context)),
            ["admin_api_keys"] when method == "POST" => CreateAdminKey(await ReadJsonAsync(context).ConfigureAwait(false)),
            ["admin_api_keys", var id] when method == "GET" => Found(FindAdminById(id) is { } key ? AdminJson(key) : null),
            ["admin_api_keys", var id] when method == "DELETE" => DeleteAdminKey(id),
            ["projects", var project, ..] when !HasProject(project) => NotFound($"No such project: {project}"),
            ["projects", var project, "api_keys"] when method == "GET" => (200, ListProjectKeys(context, project)),
            ["projects", var project, "api_keys", var id] when method == "GET" => Found(FindProjectKey(project, id) is { } key ? ProjectKeyJson(key) : null),
            ["projects", var project, "api_keys", var id] when method == "DELETE" => DeleteProjectKey(project, id),
            ["projects", var project, "service_accounts"] when method == "GET" => (200, ListServiceAccounts(context, project)),
            ["projects", var project, "service_accounts"] when method == "POST" => CreateServiceAccount(project, await ReadJsonAsync(context).ConfigureAwait(false)),
            ["projects", var project, "service_accounts", var id] when method == "GET" => Found(FindServiceAccount(project, id) is { } account ? ServiceAccountJson(account) : null),
            ["projects", var project, "service_accounts", var id] when method == "DELETE" => DeleteServiceAccount(project, id),
            ["projects", var project, "service_accounts", var id, "api_keys"] when method == "POST" => CreateServiceAccountKey(project, id, await ReadJsonAsync(context).ConfigureAwait(false)),
            _ => NotFound($"Unknown request URL: {method} /{path}."),
        };
        await WriteJsonAsync(context, status, body).ConfigureAwait(false);
    }

    private protected override Task WriteErrorAsync(HttpContext context, int statusCode, string? errorCode, string message)
        => WriteJsonAsync(context, statusCode, Error(statusCode, errorCode, message).Body);

    private static (int Status, JsonNode Body) Error(int statusCode, string? errorCode, string message)
    {
        var (type, code) = statusCode switch
        {
            401 => ("invalid_request_error", errorCode ?? "invalid_api_key"),
            403 => ("invalid_request_error", errorCode ?? "unsupported_country_region_territory"),
            404 => ("invalid_request_error", errorCode),
            429 when errorCode == "insufficient_quota" => ("insufficient_quota", errorCode),
            429 => ("requests", errorCode ?? "rate_limit_exceeded"),
            >= 500 => ("server_error", errorCode),
            _ => ("invalid_request_error", errorCode),
        };
        if (statusCode == 429)
        {
            message = code == "insufficient_quota"
                ? "You exceeded your current quota, please check your plan and billing details."
                : "Rate limit reached for requests. " + message;
        }

        return (statusCode, new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = code } });
    }

    private static (int, JsonNode) NotFound(string message) => Error(404, null, message);

    private static (int, JsonNode) Found(JsonNode? body) => body is null ? NotFound("No such object.") : (200, body);

    private static JsonObject Model(string id) => new() { ["id"] = id, ["object"] = "model", ["created"] = 1_715_367_049, ["owned_by"] = "system" };

    private static JsonObject Deleted(string type, string id) => new() { ["object"] = type, ["id"] = id, ["deleted"] = true };

    private static string Redact(string value, string prefix) => prefix + "..." + value[^3..];

    private async Task InferenceAsync(HttpContext context, Func<Task> answer)
    {
        var bearer = BearerToken(context);
        bool valid;
        lock (Sync)
        {
            valid = bearer is not null && _projectKeys.Exists(k => k.Value == bearer);
        }

        if (!valid)
        {
            await WriteErrorAsync(context, 401, "invalid_api_key", "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.").ConfigureAwait(false);
            return;
        }

        foreach (var (name, value) in new[] { ("openai-organization", EmulatorConstants.OpenAIOrganizationId), ("x-ratelimit-limit-requests", "10000"), ("x-ratelimit-remaining-requests", "9999"), ("x-ratelimit-reset-requests", "6ms"), ("x-ratelimit-limit-tokens", "30000000"), ("x-ratelimit-remaining-tokens", "29999980"), ("x-ratelimit-reset-tokens", "0s") })
        {
            context.Response.Headers[name] = value;
        }

        await answer().ConfigureAwait(false);
    }

    private bool HasProject(string project)
    {
        lock (Sync)
        {
            return _projects.Contains(project);
        }
    }

    private AdminKeyRecord? FindAdmin(string value)
        => _adminKeys.Find(k => k.Value == value && (k.ExpiresAt is null || k.ExpiresAt > UnixNow()));

    private AdminKeyRecord? FindAdminById(string id)
    {
        lock (Sync)
        {
            return _adminKeys.Find(k => k.Id == id);
        }
    }

    private ProjectKey? FindProjectKey(string project, string id)
    {
        lock (Sync)
        {
            return _projectKeys.Find(k => k.ProjectId == project && k.Id == id);
        }
    }

    private ServiceAccount? FindServiceAccount(string project, string id)
    {
        lock (Sync)
        {
            return _serviceAccounts.Find(a => a.ProjectId == project && a.Id == id);
        }
    }

    private ProjectKey NewProjectKey(string projectId, string name, string? serviceAccountId)
    {
        var key = new ProjectKey(NewId("key_"), projectId, name, FakeKeys.GenerateText(ProviderId.OpenAI), UnixNow(), serviceAccountId);
        _projectKeys.Add(key);
        return key;
    }

    private JsonObject ListAdminKeys(HttpContext context)
    {
        lock (Sync)
        {
            return Page(context, [.. _adminKeys.Select(k => (k.Id, (JsonNode)AdminJson(k)))]);
        }
    }

    private JsonObject ListProjectKeys(HttpContext context, string project)
    {
        lock (Sync)
        {
            return Page(context, [.. _projectKeys.Where(k => k.ProjectId == project).Select(k => (k.Id, (JsonNode)ProjectKeyJson(k)))]);
        }
    }

    private JsonObject ListServiceAccounts(HttpContext context, string project)
    {
        lock (Sync)
        {
            return Page(context, [.. _serviceAccounts.Where(a => a.ProjectId == project).Select(a => (a.Id, (JsonNode)ServiceAccountJson(a)))]);
        }
    }

    // Cursor paging: limit (1..100, default 20) and after (an id of the previous page).
    private static JsonObject Page(HttpContext context, List<(string Id, JsonNode Item)> all)
    {
        var limit = Math.Clamp(QueryInt(context, "limit") ?? 20, 1, 100);
        var start = Query(context, "after") is { } after ? all.FindIndex(i => i.Id == after) + 1 : 0;
        var page = all.Skip(start).Take(limit).ToList();
        return new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray([.. page.Select(p => p.Item)]),
            ["first_id"] = page.Count > 0 ? page[0].Id : null,
            ["last_id"] = page.Count > 0 ? page[^1].Id : null,
            ["has_more"] = start + page.Count < all.Count,
        };
    }

    private (int, JsonNode) CreateAdminKey(JsonObject? request)
    {
        if (request?["name"]?.GetValue<string>() is not { Length: > 0 } name)
        {
            return Error(400, null, "Missing required parameter: 'name'.");
        }

        long? expiresAt = null;
        if (request["expires_in_seconds"] is { } expiresIn)
        {
            var seconds = expiresIn.GetValue<long>();
            if (seconds is < 1 or > 31_536_000)
            {
                return Error(400, null, "expires_in_seconds must be between 1 and 31536000.");
            }

            expiresAt = UnixNow() + seconds;
        }

        var key = new AdminKeyRecord(NewId("key_"), name, FakeKeys.GenerateText(ProviderId.OpenAI, KeyKind.Admin), UnixNow(), expiresAt);
        lock (Sync)
        {
            _adminKeys.Add(key);
        }

        var body = AdminJson(key);
        body["value"] = key.Value;
        return (200, body);
    }

    private (int, JsonNode) DeleteAdminKey(string id)
    {
        lock (Sync)
        {
            return _adminKeys.RemoveAll(k => k.Id == id) == 0 ? NotFound($"No admin key {id}.") : (200, Deleted("organization.admin_api_key.deleted", id));
        }
    }

    private (int, JsonNode) DeleteProjectKey(string project, string id)
    {
        lock (Sync)
        {
            var key = _projectKeys.Find(k => k.ProjectId == project && k.Id == id);
            if (key is null)
            {
                return NotFound($"No API key {id} in project {project}.");
            }

            if (key.ServiceAccountId is not null)
            {
                return Error(400, null, "API keys owned by a service account cannot be deleted; delete the service account instead.");
            }

            _projectKeys.Remove(key);
            return (200, Deleted("organization.project.api_key.deleted", id));
        }
    }

    private (int, JsonNode) CreateServiceAccount(string project, JsonObject? request)
    {
        if (request?["name"]?.GetValue<string>() is not { Length: > 0 } name)
        {
            return Error(400, null, "Missing required parameter: 'name'.");
        }

        var accountOnly = request["create_service_account_only"]?.GetValueKind() == System.Text.Json.JsonValueKind.True;
        lock (Sync)
        {
            var account = new ServiceAccount(NewId("svc_acct_"), project, name, UnixNow());
            _serviceAccounts.Add(account);
            var body = ServiceAccountJson(account);
            body["role"] = "member";
            if (accountOnly)
            {
                body["api_key"] = null;
            }
            else
            {
                // As the real API does: the account carries the requested name, its first key OpenAI's default one.
                var key = NewProjectKey(project, ServiceAccountKeyName, account.Id);
                body["api_key"] = new JsonObject { ["object"] = "organization.project.service_account.api_key", ["value"] = key.Value, ["name"] = key.Name, ["created_at"] = key.CreatedAt, ["id"] = key.Id };
            }

            return (200, body);
        }
    }

    private (int, JsonNode) CreateServiceAccountKey(string project, string accountId, JsonObject? request)
    {
        lock (Sync)
        {
            if (!_serviceAccounts.Exists(a => a.ProjectId == project && a.Id == accountId))
            {
                return NotFound($"No service account {accountId} in project {project}.");
            }

            var key = NewProjectKey(project, request?["name"]?.GetValue<string>() ?? "Secret key", accountId);
            return (200, new JsonObject { ["object"] = "organization.project.service_account.api_key", ["value"] = key.Value, ["name"] = key.Name, ["created_at"] = key.CreatedAt, ["id"] = key.Id });
        }
    }

    private (int, JsonNode) DeleteServiceAccount(string project, string id)
    {
        lock (Sync)
        {
            if (_serviceAccounts.RemoveAll(a => a.ProjectId == project && a.Id == id) == 0)
            {
                return NotFound($"No service account {id} in project {project}.");
            }

            // The account's keys die with it.
            _projectKeys.RemoveAll(k => k.ServiceAccountId == id);
            return (200, Deleted("organization.project.service_account.deleted", id));
        }
    }

    private static JsonObject AdminJson(AdminKeyRecord key) => new()
    {
        ["object"] = "organization.admin_api_key",
        ["id"] = key.Id,
        ["name"] = key.Name,
        ["redacted_value"] = Redact(key.Value, "sk-admin"),
        ["created_at"] = key.CreatedAt,
        ["expires_at"] = key.ExpiresAt,
        ["last_used_at"] = null,
        ["owner"] = new JsonObject { ["type"] = "user", ["object"] = "organization.user", ["id"] = "user_emulator", ["name"] = "Emulator Owner", ["created_at"] = 1_711_471_533, ["role"] = "owner" },
    };

    private JsonObject ProjectKeyJson(ProjectKey key)
    {
        var account = key.ServiceAccountId is { } accountId ? _serviceAccounts.Find(a => a.Id == accountId) : null;
        return new JsonObject
        {
            ["object"] = "organization.project.api_key",
            ["redacted_value"] = Redact(key.Value, "sk-proj"),
            ["name"] = key.Name,
            ["created_at"] = key.CreatedAt,
            ["last_used_at"] = null,
            ["id"] = key.Id,
            ["owner_project_access"] = "active",
            ["owner"] = account is null
                ? new JsonObject { ["type"] = "user", ["user"] = new JsonObject { ["id"] = "user_emulator", ["email"] = "owner@example.com", ["name"] = "Emulator Owner", ["created_at"] = 1_711_471_533, ["role"] = "owner" } }
                : new JsonObject { ["type"] = "service_account", ["service_account"] = new JsonObject { ["id"] = account.Id, ["name"] = account.Name, ["created_at"] = account.CreatedAt, ["role"] = "member" } },
        };
    }

    private static JsonObject ServiceAccountJson(ServiceAccount account) => new()
    {
        ["object"] = "organization.project.service_account",
        ["id"] = account.Id,
        ["name"] = account.Name,
        ["role"] = "member",
        ["created_at"] = account.CreatedAt,
    };

    private sealed record AdminKeyRecord(string Id, string Name, string Value, long CreatedAt, long? ExpiresAt);

    private sealed record ProjectKey(string Id, string ProjectId, string Name, string Value, long CreatedAt, string? ServiceAccountId);

    private sealed record ServiceAccount(string Id, string ProjectId, string Name, long CreatedAt);
}
