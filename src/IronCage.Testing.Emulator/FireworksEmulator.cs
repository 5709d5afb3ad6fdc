using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace IronCage.Testing.Emulator;

/// <summary>
/// Fireworks AI's API keys as PROVIDERS.md §8 and the Gateway REST API reference describe them: an existing key creates
/// (<c>displayName</c>, <c>expireTime</c>), lists (<c>pageSize</c>/<c>pageToken</c>, <c>apiKeys</c>/<c>nextPageToken</c>)
/// and deletes (<c>POST …/apiKeys:delete</c>) the keys of one account user; any live key lists the models
/// (<c>GET /inference/v1/models</c>) and gets OpenAI-shaped chat completions with usage. Expired keys are refused.
/// </summary>
/// <remarks>
/// The error body, <c>{"error":{"code":"UNAUTHORIZED","message":…}}</c>, follows what clients report Fireworks sends; the
/// reference does not document it.
/// </remarks>
public sealed class FireworksEmulator : EmulatedProvider
{
    private readonly List<Key> _keys = [];

    internal FireworksEmulator(Uri baseAddress, TimeProvider time)
        : base(baseAddress, time)
    {
        // An account admin's key, managing the keys of the service-account user UserId (as the docs recommend).
        var management = NewKey("ironcage-admin", "ironcage-emulator-management", expiresAt: null);
        _keys.Add(management);
        ManagementKey = management.Value;
    }

    /// <summary>Gets the account the emulator holds (<c>FireworksProviderOptions.AccountId</c>).</summary>
    public string AccountId { get; } = "ironcage-emulator";

    /// <summary>Gets the service-account user whose keys are managed (<c>FireworksProviderOptions.UserId</c>); keys of other users of the account can be seeded.</summary>
    public string UserId { get; } = "ironcage-service-account";

    /// <summary>Gets the API key (of an account admin, not of <see cref="UserId"/>) that manages the account's keys: set it as <c>FireworksProviderOptions.ManagementKey</c>.</summary>
    public string ManagementKey { get; }

    /// <summary>Gets or sets the most keys one list page holds (a smaller <c>pageSize</c> wins).</summary>
    /// <value>The default value is 100.</value>
    public int PageSize { get; set; } = 100;

    /// <summary>Seeds a key that already exists.</summary>
    /// <param name="name">The key's display name.</param>
    /// <param name="expiresAt">When it expires, or <see langword="null"/> for never.</param>
    /// <param name="userId">The user it belongs to; <see cref="UserId"/> by default.</param>
    /// <returns>The key (its id is the <c>keyId</c>) with its value.</returns>
    public EmulatedKey AddKey(string name = "seeded-key", DateTimeOffset? expiresAt = null, string? userId = null)
    {
        var key = NewKey(userId ?? UserId, name, expiresAt);
        lock (Sync)
        {
            _keys.Add(key);
        }

        return new EmulatedKey(key.Id, name, key.Value);
    }

    /// <summary>Tells whether a value is a live key (not deleted, not expired by the emulator's clock).</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when live.</returns>
    public bool IsValid(string key)
    {
        lock (Sync)
        {
            return FindLive(key) is not null;
        }
    }

    /// <summary>Gets the <c>expireTime</c> a key was created or seeded with, or <see langword="null"/> when it never expires or is unknown.</summary>
    /// <param name="keyId">The key id.</param>
    /// <returns>The expiry.</returns>
    public DateTimeOffset? ExpiresAt(string keyId)
    {
        lock (Sync)
        {
            return _keys.Find(k => k.Id == keyId)?.ExpiresAt;
        }
    }

    private protected override async Task HandleAsync(HttpContext context, string path)
    {
        var method = context.Request.Method;
        var bearer = BearerToken(context);
        Key? caller;
        lock (Sync)
        {
            caller = bearer is null ? null : FindLive(bearer);
        }

        if (caller is null)
        {
            await WriteErrorAsync(context, 401, null, bearer is null ? "Missing API key" : "The API key you provided is invalid.").ConfigureAwait(false);
            return;
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (segments)
        {
            case ["inference", "v1", "models"] when method == "GET":
                await WriteJsonAsync(context, 200, new JsonObject
                {
                    ["object"] = "list",
                    ["data"] = new JsonArray(new JsonObject { ["id"] = "accounts/fireworks/models/llama-v3p1-8b-instruct", ["object"] = "model", ["owned_by"] = "fireworks", ["created"] = 1721692800 }),
                }).ConfigureAwait(false);
                return;
            case ["inference", "v1", "chat", "completions"] when method == "POST":
                await WriteChatCompletionAsync(context, await ReadJsonAsync(context).ConfigureAwait(false)).ConfigureAwait(false);
                return;
            case ["v1", "accounts", var account, "users", var user, "apiKeys"] when method is "GET" or "POST":
                if (await RefuseOtherAccountAsync(context, account, user).ConfigureAwait(false))
                {
                    return;
                }

                await (method == "GET" ? ListAsync(context, user) : CreateAsync(context, user)).ConfigureAwait(false);
                return;
            case ["v1", "accounts", var account, "users", var user, "apiKeys:delete"] when method == "POST":
                if (await RefuseOtherAccountAsync(context, account, user).ConfigureAwait(false))
                {
                    return;
                }

                await DeleteAsync(context, user).ConfigureAwait(false);
                return;
            default:
                await WriteErrorAsync(context, 404, null, $"Not found: {method} /{path}").ConfigureAwait(false);
                return;
        }
    }

    private protected override Task WriteErrorAsync(HttpContext context, int statusCode, string? errorCode, string message)
        => WriteJsonAsync(context, statusCode, new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = errorCode ?? statusCode switch
                {
                    400 => "INVALID_ARGUMENT",
                    401 => "UNAUTHORIZED",
                    403 => "FORBIDDEN",
                    404 => "NOT_FOUND",
                    429 => "RESOURCE_EXHAUSTED",
                    _ => "INTERNAL",
                },
                ["message"] = message,
            },
        });

    private static string Stamp(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static JsonObject KeyJson(Key key) => new()
    {
        ["keyId"] = key.Id,
        ["displayName"] = key.Name,
        ["createTime"] = Stamp(key.CreatedAt),
        ["secure"] = true,
        ["email"] = key.UserId + "@ironcage-emulator.test",
        ["prefix"] = key.Value[..6],
        ["expireTime"] = key.ExpiresAt is { } expires ? Stamp(expires) : null,
    };

    private async Task<bool> RefuseOtherAccountAsync(HttpContext context, string account, string user)
    {
        if (account != AccountId)
        {
            await WriteErrorAsync(context, 403, null, $"Permission denied on account '{account}'.").ConfigureAwait(false);
            return true;
        }

        if (string.IsNullOrWhiteSpace(user))
        {
            await WriteErrorAsync(context, 400, null, "user_id is required.").ConfigureAwait(false);
            return true;
        }

        return false;
    }

    private Key NewKey(string userId, string name, DateTimeOffset? expiresAt)
        => new(NewId(string.Empty, 16), FakeKeys.GenerateText(ProviderId.Fireworks), userId, Time.GetUtcNow()) { Name = name, ExpiresAt = expiresAt };

    private Key? FindLive(string value)
        => _keys.Find(k => k.Value == value && (k.ExpiresAt is null || k.ExpiresAt > Time.GetUtcNow()));

    private async Task ListAsync(HttpContext context, string user)
    {
        var size = Math.Clamp(QueryInt(context, "pageSize") is { } requested and > 0 ? requested : PageSize, 1, PageSize);
        var offset = 0;
        if (Query(context, "pageToken") is { } token && (!int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out offset) || offset < 0))
        {
            await WriteErrorAsync(context, 400, null, "pageToken is not a token this service issued.").ConfigureAwait(false);
            return;
        }

        JsonObject page;
        lock (Sync)
        {
            var all = _keys.Where(k => k.UserId == user).ToList();
            var next = offset + size < all.Count ? (offset + size).ToString(CultureInfo.InvariantCulture) : string.Empty;
            page = new JsonObject
            {
                ["apiKeys"] = new JsonArray([.. all.Skip(offset).Take(size).Select(k => (JsonNode)KeyJson(k))]),
                ["nextPageToken"] = next,
                ["totalSize"] = all.Count,
            };
        }

        await WriteJsonAsync(context, 200, page).ConfigureAwait(false);
    }

    private async Task CreateAsync(HttpContext context, string user)
    {
        var request = await ReadJsonAsync(context).ConfigureAwait(false);
        if (request?["apiKey"] is not JsonObject apiKey)
        {
            await WriteErrorAsync(context, 400, null, "apiKey is required.").ConfigureAwait(false);
            return;
        }

        DateTimeOffset? expiresAt = null;
        if (apiKey["expireTime"]?.GetValue<string>() is { } expires)
        {
            if (!DateTimeOffset.TryParse(expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) || parsed <= Time.GetUtcNow())
            {
                await WriteErrorAsync(context, 400, null, "expireTime must be an RFC 3339 timestamp in the future.").ConfigureAwait(false);
                return;
            }

            expiresAt = parsed;
        }

        var name = apiKey["displayName"]?.GetValue<string>() is { Length: > 0 } given ? given : "default";
        var key = NewKey(user, name, expiresAt);
        JsonObject body;
        lock (Sync)
        {
            _keys.Add(key);
            body = KeyJson(key);
            body["key"] = key.Value;
        }

        await WriteJsonAsync(context, 200, body).ConfigureAwait(false);
    }

    private async Task DeleteAsync(HttpContext context, string user)
    {
        var request = await ReadJsonAsync(context).ConfigureAwait(false);
        if (request?["keyId"]?.GetValue<string>() is not { Length: > 0 } keyId)
        {
            await WriteErrorAsync(context, 400, null, "keyId is required.").ConfigureAwait(false);
            return;
        }

        bool removed;
        lock (Sync)
        {
            removed = _keys.RemoveAll(k => k.Id == keyId && k.UserId == user && k.Value != ManagementKey) > 0;
        }

        await (removed ? WriteJsonAsync(context, 200, new JsonObject()) : WriteErrorAsync(context, 404, null, "API key not found.")).ConfigureAwait(false);
    }

    private sealed class Key(string id, string value, string userId, DateTimeOffset createdAt)
    {
        public string Id { get; } = id;

        public string Value { get; } = value;

        public string UserId { get; } = userId;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public required string Name { get; init; }

        public DateTimeOffset? ExpiresAt { get; init; }
    }
}
