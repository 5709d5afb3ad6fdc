using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace IronCage.Testing.Emulator;

/// <summary>
/// xAI as PROVIDERS.md §7 describes it. The Management API (<see cref="EmulatedProvider.BaseAddress"/>, playing
/// <c>https://management-api.x.ai/</c>) takes the <see cref="ManagementKey"/> as a bearer token: it creates keys in the
/// team (<c>POST /auth/teams/{teamId}/api-keys</c> with <c>name</c> and <c>acls</c>, answering <c>apiKey</c> and
/// <c>apiKeyId</c>), lists them (<c>pageSize</c>, <c>paginationToken</c>, <c>nextPageToken</c>), deletes them
/// (<c>DELETE /auth/api-keys/{id}</c>) and validates the management key. The inference API (<see cref="InferenceAddress"/>,
/// playing <c>https://api.x.ai/</c>) answers <c>GET /v1/api-key</c> with the key's metadata and
/// <c>POST /v1/chat/completions</c>; an unknown key gets xAI's 400 "Incorrect API key provided".
/// </summary>
public sealed class XAIEmulator : EmulatedProvider
{
    private readonly List<Key> _keys = [];

    internal XAIEmulator(Uri root, TimeProvider time)
        : base(new Uri(root, "management/"), time)
    {
        InferenceAddress = new Uri(root, "inference/");
        ManagementKey = "xai-mgmt-" + NewId(string.Empty, 40);
    }

    /// <summary>Gets the inference API address: set it as <c>XAIProviderOptions.InferenceAddress</c> (it plays <c>https://api.x.ai/</c>).</summary>
    public Uri InferenceAddress { get; }

    /// <summary>Gets the management key: set it as <c>XAIProviderOptions.ManagementKey</c>.</summary>
    public string ManagementKey { get; }

    /// <summary>Gets the team whose keys the emulator holds: set it as <c>XAIProviderOptions.TeamId</c>.</summary>
    public string TeamId { get; } = "4b0d1c2e-7a3f-4e8d-9c6b-2f5a1e0d3c7b";

    /// <summary>Gets or sets the most keys one list page holds (the request's <c>pageSize</c> is capped at it).</summary>
    /// <value>The default value is 100.</value>
    public int PageSize { get; set; } = 100;

    /// <summary>Seeds an API key that already exists in the team.</summary>
    /// <param name="name">The key's name.</param>
    /// <returns>The key with its id and value.</returns>
    public EmulatedKey AddKey(string name = "seeded-key")
    {
        var key = NewKey(name, [XAIAcls.AllModels, XAIAcls.AllEndpoints]);
        lock (Sync)
        {
            _keys.Add(key);
        }

        return new EmulatedKey(key.Id, name, key.Value);
    }

    /// <summary>Marks a key disabled or blocked (as the console can), so <c>GET /v1/api-key</c> reports it and inference refuses it.</summary>
    /// <param name="id">The key's id.</param>
    /// <param name="disabled">Whether it is disabled.</param>
    /// <param name="blocked">Whether it is blocked.</param>
    public void SetState(string id, bool disabled, bool blocked = false)
    {
        lock (Sync)
        {
            var key = _keys.Find(k => k.Id == id) ?? throw new ArgumentException($"No key {id}.", nameof(id));
            (key.Disabled, key.Blocked) = (disabled, blocked);
        }
    }

    /// <summary>Gets the ACLs a key was created with.</summary>
    /// <param name="id">The key's id.</param>
    /// <returns>The ACLs, or <see langword="null"/> when there is no such key.</returns>
    public IReadOnlyList<string>? GetAcls(string id)
    {
        lock (Sync)
        {
            return _keys.Find(k => k.Id == id)?.Acls;
        }
    }

    /// <summary>Tells whether a value is a live key (exists, not disabled or blocked).</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when inference accepts it.</returns>
    public bool IsValid(string key)
    {
        lock (Sync)
        {
            return _keys.Exists(k => k.Value == key && !k.Disabled && !k.Blocked);
        }
    }

    private protected override async Task HandleAsync(HttpContext context, string path)
    {
        var method = context.Request.Method;
        var bearer = BearerToken(context);
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments is ["inference", .. var inference])
        {
            await InferenceAsync(context, method, bearer, inference).ConfigureAwait(false);
            return;
        }

        if (segments is not ["management", .. var management])
        {
            await WriteErrorAsync(context, 404, null, $"Not found: {method} /{path}").ConfigureAwait(false);
            return;
        }

        if (bearer != ManagementKey)
        {
            await WriteErrorAsync(context, 401, "Unauthenticated", bearer is null ? "Missing management key" : "Invalid management key").ConfigureAwait(false);
            return;
        }

        switch (management)
        {
            case ["auth", "management-keys", "validation"] when method == "GET":
                await WriteJsonAsync(context, 200, new JsonObject { ["teamId"] = TeamId, ["scopeId"] = TeamId, ["acls"] = new JsonArray("api-key:*") }).ConfigureAwait(false);
                return;
            case ["auth", "teams", var team, "api-keys"] when team != TeamId:
                await WriteErrorAsync(context, 403, "PermissionDenied", $"The management key has no access to team {team}.").ConfigureAwait(false);
                return;
            case ["auth", "teams", _, "api-keys"] when method == "POST":
                await CreateAsync(context).ConfigureAwait(false);
                return;
            case ["auth", "teams", _, "api-keys"] when method == "GET":
                await ListAsync(context).ConfigureAwait(false);
                return;
            case ["auth", "api-keys", var id] when method == "DELETE":
                await DeleteAsync(context, id).ConfigureAwait(false);
                return;
            default:
                await WriteErrorAsync(context, 404, null, $"Not found: {method} /{path}").ConfigureAwait(false);
                return;
        }
    }

    private protected override Task WriteErrorAsync(HttpContext context, int statusCode, string? errorCode, string message)
        => WriteJsonAsync(context, statusCode, new JsonObject { ["code"] = errorCode ?? "Client specified an invalid argument", ["error"] = message });

    private async Task InferenceAsync(HttpContext context, string method, string? bearer, string[] segments)
    {
        Key? key;
        lock (Sync)
        {
            key = bearer is null ? null : _keys.Find(k => k.Value == bearer);
        }

        if (key is null)
        {
            // xAI answers an unknown key with 400, not 401.
            var shown = bearer is { Length: > 8 } ? bearer[..4] + "***" + bearer[^4..] : "***";
            await WriteErrorAsync(context, 400, "Client specified an invalid argument", $"Incorrect API key provided: {shown}. You can obtain an API key from https://console.x.ai.").ConfigureAwait(false);
            return;
        }

        switch (segments)
        {
            case ["v1", "api-key"] when method == "GET":
                JsonObject body;
                lock (Sync)
                {
                    body = new JsonObject
                    {
                        ["redacted_api_key"] = Redact(key.Value),
                        ["user_id"] = "a1b2c3d4-0000-4000-8000-000000000001",
                        ["name"] = key.Name,
                        ["create_time"] = Stamp(key.CreatedAt),
                        ["modify_time"] = Stamp(key.CreatedAt),
                        ["modified_by"] = "a1b2c3d4-0000-4000-8000-000000000001",
                        ["team_id"] = TeamId,
                        ["acls"] = new JsonArray([.. key.Acls.Select(a => (JsonNode)a)]),
                        ["api_key_id"] = key.Id,
                        ["team_blocked"] = false,
                        ["api_key_blocked"] = key.Blocked,
                        ["api_key_disabled"] = key.Disabled,
                    };
                }

                await WriteJsonAsync(context, 200, body).ConfigureAwait(false);
                return;
            case ["v1", "chat", "completions"] when method == "POST":
                if (key.Disabled || key.Blocked)
                {
                    await WriteErrorAsync(context, 403, "PermissionDenied", "The API key is disabled or blocked.").ConfigureAwait(false);
                    return;
                }

                await WriteChatCompletionAsync(context, await ReadJsonAsync(context).ConfigureAwait(false)).ConfigureAwait(false);
                return;
            default:
                await WriteErrorAsync(context, 404, null, $"Not found: {method}").ConfigureAwait(false);
                return;
        }
    }

    private async Task CreateAsync(HttpContext context)
    {
        var request = await ReadJsonAsync(context).ConfigureAwait(false);
        if (request?["name"]?.GetValue<string>() is not { Length: > 0 } name)
        {
            await WriteErrorAsync(context, 400, null, "name must not be empty").ConfigureAwait(false);
            return;
        }

        var acls = request["acls"] is JsonArray list ? list.Select(a => a?.GetValue<string>() ?? string.Empty).ToList() : [];
        if (acls.Count == 0 || acls.Exists(a => !a.StartsWith("api-key:model:", StringComparison.Ordinal) && !a.StartsWith("api-key:endpoint:", StringComparison.Ordinal)))
        {
            await WriteErrorAsync(context, 400, null, "acls must list api-key:model:<name|*> and api-key:endpoint:<chat|image|*> entries").ConfigureAwait(false);
            return;
        }

        var key = NewKey(name, acls);
        JsonObject body;
        lock (Sync)
        {
            _keys.Add(key);
            body = KeyJson(key);
            body["apiKey"] = key.Value;
        }

        await WriteJsonAsync(context, 200, body).ConfigureAwait(false);
    }

    private async Task ListAsync(HttpContext context)
    {
        var size = Math.Clamp(QueryInt(context, "pageSize") ?? PageSize, 1, PageSize);
        var offset = int.TryParse(Query(context, "paginationToken"), NumberStyles.None, CultureInfo.InvariantCulture, out var start) ? start : 0;
        JsonObject page;
        lock (Sync)
        {
            var slice = _keys.Skip(offset).Take(size).ToList();
            page = new JsonObject { ["apiKeys"] = new JsonArray([.. slice.Select(k => (JsonNode)KeyJson(k))]) };
            if (offset + slice.Count < _keys.Count)
            {
                page["nextPageToken"] = (offset + slice.Count).ToString(CultureInfo.InvariantCulture);
            }
        }

        await WriteJsonAsync(context, 200, page).ConfigureAwait(false);
    }

    private async Task DeleteAsync(HttpContext context, string id)
    {
        bool removed;
        lock (Sync)
        {
            removed = _keys.RemoveAll(k => k.Id == id) > 0;
        }

        await (removed ? WriteJsonAsync(context, 200, new JsonObject()) : WriteErrorAsync(context, 404, "NotFound", $"API key {id} not found")).ConfigureAwait(false);
    }

    private Key NewKey(string name, List<string> acls)
        => new(Guid.NewGuid().ToString("D"), FakeKeys.GenerateText(ProviderId.XAI), Time.GetUtcNow(), acls) { Name = name };

    private static string Redact(string value) => value[..4] + "***" + value[^4..];

    private static string Stamp(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private JsonObject KeyJson(Key key) => new()
    {
        ["apiKeyId"] = key.Id,
        ["name"] = key.Name,
        ["redactedApiKey"] = Redact(key.Value),
        ["teamId"] = TeamId,
        ["acls"] = new JsonArray([.. key.Acls.Select(a => (JsonNode)a)]),
        ["createTime"] = Stamp(key.CreatedAt),
        ["disabled"] = key.Disabled,
        ["apiKeyBlocked"] = key.Blocked,
    };

    private static class XAIAcls
    {
        public const string AllModels = "api-key:model:*";

        public const string AllEndpoints = "api-key:endpoint:*";
    }

    private sealed class Key(string id, string value, DateTimeOffset createdAt, List<string> acls)
    {
        public string Id { get; } = id;

        public string Value { get; } = value;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public List<string> Acls { get; } = acls;

        public required string Name { get; set; }

        public bool Disabled { get; set; }

        public bool Blocked { get; set; }
    }
}
