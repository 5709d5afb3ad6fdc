using System.Globalization;
using System.Text.Json.Nodes;
using IronCage.Providers;
using Microsoft.AspNetCore.Http;

namespace IronCage.Testing.Emulator;

/// <summary>
/// Anthropic's Admin API for keys as PROVIDERS.md §2 describes it: list (<c>after_id</c>/<c>before_id</c>/<c>limit</c>,
/// filters), get, update <c>name</c>/<c>status</c>; no create (405) and no delete. Verify with <c>GET /v1/models</c>, and
/// a minimal <c>POST /v1/messages</c>. Every call needs a known <c>anthropic-version</c> (2023-06-01, 2023-01-01, or 2026-10-21 as the official .NET SDK sends); the key
/// comes as <c>x-api-key</c> or <c>Authorization: Bearer</c>, as the official SDK sends it.
/// </summary>
public sealed class AnthropicEmulator : EmulatedProvider
{
    private readonly List<ApiKey> _keys = [];

    internal AnthropicEmulator(Uri baseAddress, TimeProvider time)
        : base(baseAddress, time)
    {
        AdminKey = FakeKeys.GenerateText(ProviderId.Anthropic, KeyKind.Admin);
    }

    /// <summary>Gets the organization's Admin API key: set it as <c>AnthropicProviderOptions.AdminKey</c>.</summary>
    public string AdminKey { get; }

    /// <summary>
    /// Seeds an API key, as a person creates one in the Console: the current key a host registers, or the new key an
    /// operator supplies to a semi-automatic rotation.
    /// </summary>
    /// <param name="name">The key's name.</param>
    /// <param name="workspaceId">The workspace, or <see langword="null"/> for <see cref="EmulatorConstants.AnthropicWorkspaceId"/>.</param>
    /// <param name="expiresAt">When the key expires (set in the Console), if it does.</param>
    /// <returns>The key with its value.</returns>
    public EmulatedKey AddApiKey(string name = "seeded-api-key", string? workspaceId = null, DateTimeOffset? expiresAt = null)
    {
        var key = new ApiKey(NewId("apikey_"), FakeKeys.GenerateText(ProviderId.Anthropic), Time.GetUtcNow(), workspaceId ?? EmulatorConstants.AnthropicWorkspaceId, expiresAt) { Name = name };
        lock (Sync)
        {
            _keys.Add(key);
        }

        return new EmulatedKey(key.Id, name, key.Value);
    }

    /// <summary>Tells whether a value is an active, unexpired API key.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when usable.</returns>
    public bool IsValid(string key)
    {
        lock (Sync)
        {
            return _keys.Exists(k => k.Value == key && StatusOf(k) == "active");
        }
    }

    /// <summary>Gets a key's status (<c>active</c>, <c>inactive</c>, <c>archived</c>, <c>expired</c>), or <see langword="null"/> when unknown.</summary>
    /// <param name="id">The key's id.</param>
    /// <returns>The status.</returns>
    public string? GetStatus(string id)
    {
        lock (Sync)
        {
            return _keys.Find(k => k.Id == id) is { } key ? StatusOf(key) : null;
        }
    }

    // The versions the real API documents (docs.anthropic.com/en/api/versioning), and 2026-10-21, which the official
    // .NET SDK (Anthropic 13.x) sends on every request.
    private static readonly string[] KnownVersions = ["2023-06-01", "2023-01-01", "2026-10-21"];

    // The real API takes the key as x-api-key, or as "Authorization: Bearer" (the official SDKs' AuthToken option);
    // x-api-key wins when both are sent.
    private static string CallerKey(HttpRequest request)
    {
        var apiKey = request.Headers["x-api-key"].ToString();
        if (apiKey.Length > 0)
        {
            return apiKey;
        }

        var authorization = request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        return authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) ? authorization[Bearer.Length..].Trim() : string.Empty;
    }

    private protected override async Task HandleAsync(HttpContext context, string path)
    {
        var version = context.Request.Headers["anthropic-version"].ToString();
        if (string.IsNullOrEmpty(version))
        {
            await WriteErrorAsync(context, 400, "invalid_request_error", "anthropic-version: header is required").ConfigureAwait(false);
            return;
        }

        if (!KnownVersions.Contains(version))
        {
            await WriteErrorAsync(context, 400, "invalid_request_error", $"anthropic-version: unknown version '{version}'; use 2023-06-01").ConfigureAwait(false);
            return;
        }

        var method = context.Request.Method;
        var apiKey = CallerKey(context.Request);
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments is ["v1", "models"] or ["v1", "messages"])
        {
            if (!IsValid(apiKey))
            {
                await WriteErrorAsync(context, 401, "authentication_error", "invalid x-api-key").ConfigureAwait(false);
                return;
            }

            if (segments[1] == "models" && method == "GET")
            {
                await WriteJsonAsync(context, 200, new JsonObject
                {
                    ["data"] = new JsonArray(new JsonObject { ["type"] = "model", ["id"] = "claude-sonnet-4-5", ["display_name"] = "Claude Sonnet 4.5", ["created_at"] = "2025-09-29T00:00:00Z" }),
                    ["first_id"] = "claude-sonnet-4-5",
                    ["last_id"] = "claude-sonnet-4-5",
                    ["has_more"] = false,
                }).ConfigureAwait(false);
                return;
            }

            if (segments[1] == "messages" && method == "POST")
            {
                var request = await ReadJsonAsync(context).ConfigureAwait(false);
                await WriteJsonAsync(context, 200, new JsonObject
                {
                    ["id"] = NewId("msg_", 24),
                    ["type"] = "message",
                    ["role"] = "assistant",
                    ["model"] = request?["model"]?.GetValue<string>() ?? "claude-sonnet-4-5",
                    ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = EmulatorConstants.ReplyText }),
                    ["stop_reason"] = "end_turn",
                    ["stop_sequence"] = null,
                    ["usage"] = new JsonObject { ["input_tokens"] = EmulatorConstants.InputTokens, ["output_tokens"] = EmulatorConstants.OutputTokens },
                }).ConfigureAwait(false);
                return;
            }
        }

        if (segments is not ["v1", "organizations", ..])
        {
            await WriteErrorAsync(context, 404, "not_found_error", $"Not found: {method} /{path}").ConfigureAwait(false);
            return;
        }

        if (apiKey != AdminKey)
        {
            await (IsValid(apiKey)
                ? WriteErrorAsync(context, 403, "permission_error", "This API key does not have permission to use the Admin API; use an Admin API key.")
                : WriteErrorAsync(context, 401, "authentication_error", "invalid x-api-key")).ConfigureAwait(false);
            return;
        }

        switch (segments[2..])
        {
            case ["me"] when method == "GET":
                await WriteJsonAsync(context, 200, new JsonObject { ["id"] = "org_emulator", ["type"] = "organization", ["name"] = "IronCage Emulator" }).ConfigureAwait(false);
                return;
            case ["api_keys"] when method == "GET":
                await ListAsync(context).ConfigureAwait(false);
                return;
            case ["api_keys"] when method == "POST":
                await WriteErrorAsync(context, 405, "invalid_request_error", "Method Not Allowed: API keys are created in the Console.").ConfigureAwait(false);
                return;
            case ["api_keys", var id] when method == "GET":
                await AnswerKeyAsync(context, id).ConfigureAwait(false);
                return;
            case ["api_keys", var id] when method == "POST":
                await UpdateAsync(context, id).ConfigureAwait(false);
                return;
            case ["api_keys", _]:
                await WriteErrorAsync(context, 405, "invalid_request_error", "Method Not Allowed: API keys cannot be deleted; archive them.").ConfigureAwait(false);
                return;
            default:
                await WriteErrorAsync(context, 404, "not_found_error", $"Not found: {method} /{path}").ConfigureAwait(false);
                return;
        }
    }

    private protected override Task WriteErrorAsync(HttpContext context, int statusCode, string? errorCode, string message)
    {
        var type = errorCode ?? statusCode switch
        {
            400 => "invalid_request_error",
            401 => "authentication_error",
            402 => "billing_error",
            403 => "permission_error",
            404 => "not_found_error",
            409 => "conflict_error",
            413 => "request_too_large",
            429 => "rate_limit_error",
            529 => "overloaded_error",
            _ => "api_error",
        };
        var requestId = NewId("req_", 24);
        context.Response.Headers["request-id"] = requestId;
        return WriteJsonAsync(context, statusCode, new JsonObject
        {
            ["type"] = "error",
            ["error"] = new JsonObject { ["type"] = type, ["message"] = message },
            ["request_id"] = requestId,
        });
    }

    private async Task ListAsync(HttpContext context)
    {
        var limit = Math.Clamp(QueryInt(context, "limit") ?? 20, 1, 1000);
        var status = Query(context, "status");
        var workspace = Query(context, "workspace_id");
        var creator = Query(context, "created_by_user_id");
        JsonObject page;
        lock (Sync)
        {
            var all = _keys.Where(k => (status is null || StatusOf(k) == status) && (workspace is null || k.WorkspaceId == workspace) && (creator is null || creator == "user_emulator")).ToList();
            var start = 0;
            var end = all.Count;
            if (Query(context, "after_id") is { } after)
            {
                start = all.FindIndex(k => k.Id == after) + 1;
            }
            else if (Query(context, "before_id") is { } before)
            {
                end = Math.Max(0, all.FindIndex(k => k.Id == before));
                start = Math.Max(0, end - limit);
            }

            var items = all.Skip(start).Take(Math.Min(limit, end - start)).ToList();
            page = new JsonObject
            {
                ["data"] = new JsonArray([.. items.Select(k => (JsonNode)KeyJson(k))]),
                ["first_id"] = items.Count > 0 ? items[0].Id : null,
                ["last_id"] = items.Count > 0 ? items[^1].Id : null,
                ["has_more"] = start + items.Count < end,
            };
        }

        await WriteJsonAsync(context, 200, page).ConfigureAwait(false);
    }

    private async Task AnswerKeyAsync(HttpContext context, string id)
    {
        JsonObject? body;
        lock (Sync)
        {
            body = _keys.Find(k => k.Id == id) is { } key ? KeyJson(key) : null;
        }

        await (body is null ? WriteErrorAsync(context, 404, "not_found_error", $"API key {id} not found.") : WriteJsonAsync(context, 200, body)).ConfigureAwait(false);
    }

    private async Task UpdateAsync(HttpContext context, string id)
    {
        var request = await ReadJsonAsync(context).ConfigureAwait(false);
        var status = request?["status"]?.GetValue<string>();
        if (status is not (null or "active" or "inactive" or "archived"))
        {
            await WriteErrorAsync(context, 400, "invalid_request_error", $"status: Input should be 'active', 'inactive' or 'archived' (got '{status}').").ConfigureAwait(false);
            return;
        }

        JsonObject? body = null;
        var archived = false;
        lock (Sync)
        {
            if (_keys.Find(k => k.Id == id) is { } key)
            {
                archived = key.Status == "archived";
                if (!archived)
                {
                    if (request?["name"] is { } name)
                    {
                        key.Name = name.GetValue<string>();
                    }

                    key.Status = status ?? key.Status;
                    body = KeyJson(key);
                }
            }
        }

        if (archived)
        {
            await WriteErrorAsync(context, 400, "invalid_request_error", "An archived API key cannot be changed.").ConfigureAwait(false);
            return;
        }

        await (body is null ? WriteErrorAsync(context, 404, "not_found_error", $"API key {id} not found.") : WriteJsonAsync(context, 200, body)).ConfigureAwait(false);
    }

    private string StatusOf(ApiKey key) => key.Status == "active" && key.ExpiresAt is { } expiry && expiry <= Time.GetUtcNow() ? "expired" : key.Status;

    private JsonObject KeyJson(ApiKey key) => new()
    {
        ["type"] = "api_key",
        ["id"] = key.Id,
        ["created_at"] = key.CreatedAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["created_by"] = new JsonObject { ["id"] = "user_emulator", ["type"] = "user" },
        ["expires_at"] = key.ExpiresAt?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["name"] = key.Name,
        ["partial_key_hint"] = key.Value[..16] + "..." + key.Value[^4..],
        ["principal"] = new JsonObject { ["type"] = "user_actor", ["user_id"] = "user_emulator" },
        ["scope"] = new JsonObject { ["type"] = "workspace", ["workspace_id"] = key.WorkspaceId },
        ["status"] = StatusOf(key),
        ["workspace_id"] = key.WorkspaceId,
    };

    private sealed class ApiKey(string id, string value, DateTimeOffset createdAt, string workspaceId, DateTimeOffset? expiresAt)
    {
        public string Id { get; } = id;

        public string Value { get; } = value;

        public DateTimeOffset CreatedAt { get; } = createdAt.ToUniversalTime();

        public string WorkspaceId { get; } = workspaceId;

        public DateTimeOffset? ExpiresAt { get; } = expiresAt?.ToUniversalTime();

        public required string Name { get; set; }

        public string Status { get; set; } = "active";
    }
}
