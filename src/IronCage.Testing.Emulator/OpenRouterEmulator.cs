using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace IronCage.Testing.Emulator;

/// <summary>
/// OpenRouter's key management as PROVIDERS.md §6 describes it: a management key creates (with <c>limit</c>,
/// <c>limit_reset</c>, <c>expires_at</c>), lists (offset paging), reads, updates (<c>disabled</c>) and deletes keys; any key
/// reads itself with <c>GET /key</c>; a minimal OpenAI-compatible <c>POST /chat/completions</c> adds to the key's usage.
/// </summary>
public sealed class OpenRouterEmulator : EmulatedProvider
{
    private readonly List<Key> _keys = [];

    internal OpenRouterEmulator(Uri baseAddress, TimeProvider time)
        : base(baseAddress, time)
    {
        var management = NewKey("ironcage-emulator-management", isManagement: true);
        _keys.Add(management);
        ManagementKey = management.Value;
    }

    /// <summary>Gets the management key: set it as <c>OpenRouterProviderOptions.ManagementKey</c>.</summary>
    public string ManagementKey { get; }

    /// <summary>Gets or sets how many keys one list page holds.</summary>
    /// <value>The default value is 100, as OpenRouter's.</value>
    public int PageSize { get; set; } = 100;

    /// <summary>Seeds an inference key that already exists.</summary>
    /// <param name="name">The key's name.</param>
    /// <returns>The key (its id is the key's hash) with its value.</returns>
    public EmulatedKey AddKey(string name = "seeded-key")
    {
        var key = NewKey(name, isManagement: false);
        lock (Sync)
        {
            _keys.Add(key);
        }

        return new EmulatedKey(key.Hash, name, key.Value);
    }

    /// <summary>Sets what OpenRouter reports as a key's spend (USD).</summary>
    /// <param name="hash">The key's hash.</param>
    /// <param name="total">The spend over the key's life.</param>
    /// <param name="daily">The spend of the current UTC day.</param>
    /// <param name="weekly">The spend of the current UTC week.</param>
    /// <param name="monthly">The spend of the current UTC month.</param>
    public void SetUsage(string hash, decimal total, decimal daily, decimal weekly, decimal monthly)
    {
        lock (Sync)
        {
            var key = _keys.Find(k => k.Hash == hash) ?? throw new ArgumentException($"No key {hash}.", nameof(hash));
            (key.Usage, key.UsageDaily, key.UsageWeekly, key.UsageMonthly) = (total, daily, weekly, monthly);
        }
    }

    /// <summary>Tells whether a value is a live key (not deleted, disabled or expired).</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when live.</returns>
    public bool IsValid(string key)
    {
        lock (Sync)
        {
            return FindLive(key) is not null;
        }
    }

    private protected override async Task HandleAsync(HttpContext context, string path)
    {
        var method = context.Request.Method;
        var bearer = BearerToken(context);
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        Key? caller;
        lock (Sync)
        {
            caller = bearer is null ? null : FindLive(bearer);
        }

        if (caller is null)
        {
            await WriteErrorAsync(context, 401, null, bearer is null ? "Missing Authentication header" : "User not found.").ConfigureAwait(false);
            return;
        }

        switch (segments)
        {
            case ["api", "v1", "key"] when method == "GET":
                await WriteJsonAsync(context, 200, new JsonObject { ["data"] = CurrentKeyJson(caller) }).ConfigureAwait(false);
                return;
            case ["api", "v1", "chat", "completions"] when method == "POST" && !caller.IsManagement:
                lock (Sync)
                {
                    caller.Usage += EmulatorConstants.OpenRouterCostPerCompletion;
                    caller.UsageDaily += EmulatorConstants.OpenRouterCostPerCompletion;
                    caller.UsageWeekly += EmulatorConstants.OpenRouterCostPerCompletion;
                    caller.UsageMonthly += EmulatorConstants.OpenRouterCostPerCompletion;
                }

                await WriteChatCompletionAsync(context, await ReadJsonAsync(context).ConfigureAwait(false)).ConfigureAwait(false);
                return;
            case ["api", "v1", "chat", "completions"]:
                await WriteErrorAsync(context, 403, null, "Management keys cannot be used for completions.").ConfigureAwait(false);
                return;
            case ["api", "v1", "keys", ..] when !caller.IsManagement:
                await WriteErrorAsync(context, 403, null, "Only management keys can perform this operation").ConfigureAwait(false);
                return;
            case ["api", "v1", "keys"] when method == "GET":
                await ListAsync(context).ConfigureAwait(false);
                return;
            case ["api", "v1", "keys"] when method == "POST":
                await CreateAsync(context).ConfigureAwait(false);
                return;
            case ["api", "v1", "keys", var hash] when method is "GET" or "PATCH" or "DELETE":
                await KeyAsync(context, method, hash).ConfigureAwait(false);
                return;
            default:
                await WriteErrorAsync(context, 404, null, $"Not found: {method} /{path}").ConfigureAwait(false);
                return;
        }
    }

    private protected override Task WriteErrorAsync(HttpContext context, int statusCode, string? errorCode, string message)
    {
        if (statusCode == 402)
        {
            message = "Insufficient credits. Add more using https://openrouter.ai/credits";
        }

        return WriteJsonAsync(context, statusCode, new JsonObject
        {
            ["error"] = new JsonObject { ["code"] = statusCode, ["message"] = message, ["metadata"] = errorCode is null ? null : new JsonObject { ["reason"] = errorCode } },
            ["user_id"] = null,
        });
    }

    private Key NewKey(string name, bool isManagement)
    {
        var value = FakeKeys.GenerateText(ProviderId.OpenRouter);
        return new Key(RandomNumberGenerator.GetHexString(64, lowercase: true), value, Time.GetUtcNow(), isManagement) { Name = name };
    }

    private Key? FindLive(string value)
        => _keys.Find(k => k.Value == value && !k.Disabled && (k.ExpiresAt is null || k.ExpiresAt > Time.GetUtcNow()));

    private async Task ListAsync(HttpContext context)
    {
        var includeDisabled = Query(context, "include_disabled") == "true";
        var offset = Math.Max(0, QueryInt(context, "offset") ?? 0);
        var workspace = Query(context, "workspace_id");
        JsonObject page;
        lock (Sync)
        {
            // The most recent first, as OpenRouter lists them; the management key itself is not among the API keys.
            var all = _keys.Where(k => !k.IsManagement && (includeDisabled || !k.Disabled) && (workspace is null || k.WorkspaceId == workspace)).Reverse().ToList();
            page = new JsonObject { ["data"] = new JsonArray([.. all.Skip(offset).Take(PageSize).Select(k => (JsonNode)KeyJson(k))]) };
        }

        await WriteJsonAsync(context, 200, page).ConfigureAwait(false);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var request = await ReadJsonAsync(context).ConfigureAwait(false);
        if (request?["name"]?.GetValue<string>() is not { Length: > 0 } name)
        {
            await WriteErrorAsync(context, 400, null, "name: Required").ConfigureAwait(false);
            return;
        }

        var limitReset = request["limit_reset"]?.GetValue<string>();
        if (limitReset is not (null or "daily" or "weekly" or "monthly"))
        {
            await WriteErrorAsync(context, 400, null, "limit_reset: Invalid enum value. Expected 'daily' | 'weekly' | 'monthly'").ConfigureAwait(false);
            return;
        }

        DateTimeOffset? expiresAt = null;
        if (request["expires_at"]?.GetValue<string>() is { } expires)
        {
            if (!expires.EndsWith('Z') || !DateTimeOffset.TryParse(expires, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                await WriteErrorAsync(context, 400, null, "expires_at: must be an ISO 8601 UTC timestamp").ConfigureAwait(false);
                return;
            }

            expiresAt = parsed;
        }

        var key = NewKey(name, isManagement: false);
        key.Limit = request["limit"]?.GetValue<decimal>();
        key.LimitReset = limitReset;
        key.IncludeByokInLimit = request["include_byok_in_limit"]?.GetValueKind() == System.Text.Json.JsonValueKind.True;
        key.ExpiresAt = expiresAt;
        key.WorkspaceId = request["workspace_id"]?.GetValue<string>() ?? key.WorkspaceId;
        key.CreatorUserId = request["creator_user_id"]?.GetValue<string>();
        JsonObject body;
        lock (Sync)
        {
            _keys.Add(key);
            body = new JsonObject { ["data"] = KeyJson(key), ["key"] = key.Value };
        }

        await WriteJsonAsync(context, 201, body).ConfigureAwait(false);
    }

    private async Task KeyAsync(HttpContext context, string method, string hash)
    {
        var request = method == "PATCH" ? await ReadJsonAsync(context).ConfigureAwait(false) : null;
        JsonObject? body = null;
        lock (Sync)
        {
            if (_keys.Find(k => k.Hash == hash && !k.IsManagement) is { } key)
            {
                switch (method)
                {
                    case "DELETE":
                        _keys.Remove(key);
                        body = new JsonObject { ["deleted"] = true };
                        break;
                    case "PATCH":
                        key.Name = request?["name"]?.GetValue<string>() ?? key.Name;
                        key.Disabled = request?["disabled"]?.GetValue<bool>() ?? key.Disabled;
                        key.Limit = request?.ContainsKey("limit") == true ? request["limit"]?.GetValue<decimal>() : key.Limit;
                        key.LimitReset = request?.ContainsKey("limit_reset") == true ? request["limit_reset"]?.GetValue<string>() : key.LimitReset;
                        key.UpdatedAt = Time.GetUtcNow();
                        body = new JsonObject { ["data"] = KeyJson(key) };
                        break;
                    default:
                        body = new JsonObject { ["data"] = KeyJson(key) };
                        break;
                }
            }
        }

        await (body is null ? WriteErrorAsync(context, 404, null, "Key not found") : WriteJsonAsync(context, 200, body)).ConfigureAwait(false);
    }

    private static string Stamp(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static JsonObject KeyJson(Key key) => new()
    {
        ["hash"] = key.Hash,
        ["name"] = key.Name,
        ["label"] = key.Value[..12] + "..." + key.Value[^4..],
        ["disabled"] = key.Disabled,
        ["limit"] = key.Limit,
        ["limit_remaining"] = key.Limit is { } limit ? limit - key.Usage : null,
        ["limit_reset"] = key.LimitReset,
        ["include_byok_in_limit"] = key.IncludeByokInLimit,
        ["usage"] = key.Usage,
        ["usage_daily"] = key.UsageDaily,
        ["usage_weekly"] = key.UsageWeekly,
        ["usage_monthly"] = key.UsageMonthly,
        ["byok_usage"] = 0,
        ["byok_usage_daily"] = 0,
        ["byok_usage_weekly"] = 0,
        ["byok_usage_monthly"] = 0,
        ["created_at"] = Stamp(key.CreatedAt),
        ["updated_at"] = key.UpdatedAt is { } updated ? Stamp(updated) : null,
        ["expires_at"] = key.ExpiresAt is { } expires ? Stamp(expires) : null,
        ["creator_user_id"] = key.CreatorUserId,
        ["workspace_id"] = key.WorkspaceId,
    };

    private static JsonObject CurrentKeyJson(Key key) => new()
    {
        ["label"] = key.Value[..12] + "..." + key.Value[^4..],
        ["limit"] = key.Limit,
        ["limit_remaining"] = key.Limit is { } limit ? limit - key.Usage : null,
        ["limit_reset"] = key.LimitReset,
        ["usage"] = key.Usage,
        ["usage_daily"] = key.UsageDaily,
        ["usage_weekly"] = key.UsageWeekly,
        ["usage_monthly"] = key.UsageMonthly,
        ["byok_usage"] = 0,
        ["byok_usage_daily"] = 0,
        ["byok_usage_weekly"] = 0,
        ["byok_usage_monthly"] = 0,
        ["is_free_tier"] = false,
        ["is_management_key"] = key.IsManagement,
        ["is_provisioning_key"] = key.IsManagement,
        ["include_byok_in_limit"] = key.IncludeByokInLimit,
        ["creator_user_id"] = key.CreatorUserId,
        ["expires_at"] = key.ExpiresAt is { } expires ? Stamp(expires) : null,
    };

    private sealed class Key(string hash, string value, DateTimeOffset createdAt, bool isManagement)
    {
        public string Hash { get; } = hash;

        public string Value { get; } = value;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public bool IsManagement { get; } = isManagement;

        public required string Name { get; set; }

        public bool Disabled { get; set; }

        public decimal? Limit { get; set; }

        public string? LimitReset { get; set; }

        public bool IncludeByokInLimit { get; set; }

        public decimal Usage { get; set; }

        public decimal UsageDaily { get; set; }

        public decimal UsageWeekly { get; set; }

        public decimal UsageMonthly { get; set; }

        public DateTimeOffset? UpdatedAt { get; set; }

        public DateTimeOffset? ExpiresAt { get; set; }

        public string? CreatorUserId { get; set; }

        public string WorkspaceId { get; set; } = "00000000-0000-4000-8000-000000000000";
    }
}
