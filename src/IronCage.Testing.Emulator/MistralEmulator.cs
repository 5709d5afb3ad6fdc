using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace IronCage.Testing.Emulator;

/// <summary>
/// Mistral as PROVIDERS.md §9 describes it. The beta Admin API (<c>api/admin/</c>, the Admin API key in
/// <c>x-api-key</c>) creates keys (<c>name</c>, <c>expiration</c> date, <c>workspace_uuid</c>, <c>user_id</c>, the value
/// returned once in <c>key</c>) and lists them (<c>limit</c>/<c>offset</c>, values masked); it has no delete, as the
/// documented API has none. The inference API (<see cref="InferenceAddress"/>) answers <c>GET /v1/models</c> for a
/// live key with <c>Authorization: Bearer</c> and the <c>x-ratelimit-*</c> headers, and an invalid key with
/// <c>401 {"detail":"Unauthorized"}</c> — the very answer a valid key with exhausted quota gets
/// (<see cref="SetQuotaExhausted"/>).
/// </summary>
/// <remarks>
/// Both APIs share one root, so <see cref="EmulatedProvider.Requests"/> and fault paths read <c>api/admin/api-keys</c>
/// and <c>v1/models</c>.
/// </remarks>
public sealed class MistralEmulator : EmulatedProvider
{
    /// <summary>The workspace keys belong to unless another is given (<c>workspace_uuid</c>).</summary>
    public const string DefaultWorkspaceId = "3b1f7c2a-9d4e-4a8b-b6c5-000000000000";

    private readonly List<Key> _keys = [];

    internal MistralEmulator(Uri root, TimeProvider time)
        : base(new Uri(root, "api/admin/"), time)
    {
        InferenceAddress = new Uri(root, "v1/");
        AdminKey = FakeKeys.GenerateText(ProviderId.Mistral);
    }

    /// <summary>Gets the inference API address: set it as <c>MistralProviderOptions.InferenceAddress</c> (it plays <c>https://api.mistral.ai/v1/</c>).</summary>
    public Uri InferenceAddress { get; }

    /// <summary>Gets the Admin API key (from the Backoffice): set it as <c>MistralProviderOptions.AdminKey</c>. It never works on the inference API.</summary>
    public string AdminKey { get; }

    /// <summary>Gets or sets how many keys one list page holds at most, whatever <c>limit</c> asks.</summary>
    /// <value>The default value is 100.</value>
    public int PageSize { get; set; } = 100;

    /// <summary>Gets or sets the requests a key may make per minute (<c>x-ratelimit-limit-req-minute</c>); past it, inference answers 429.</summary>
    /// <value>The default value is 300.</value>
    public int RequestsPerMinute { get; set; } = 300;

    /// <summary>Gets or sets the tokens a key may use per minute (<c>x-ratelimit-limit-tokens-minute</c>).</summary>
    /// <value>The default value is 500000.</value>
    public int TokensPerMinute { get; set; } = 500_000;

    /// <summary>Seeds an API key, as a person creates one in the console.</summary>
    /// <param name="name">The key's name.</param>
    /// <param name="expiresOn">The key's expiration date (the key stops working at its start, UTC), if any.</param>
    /// <returns>The key (its id is the <c>key_id</c>) with its value.</returns>
    public EmulatedKey AddKey(string name = "seeded-key", DateOnly? expiresOn = null)
    {
        var key = NewKey(name, expiresOn, DefaultWorkspaceId);
        lock (Sync)
        {
            _keys.Add(key);
        }

        return new EmulatedKey(key.Id, name, key.Value);
    }

    /// <summary>Tells whether a value is a live API key (issued and not expired); a key with exhausted quota is still valid.</summary>
    /// <param name="key">The key.</param>
    /// <returns><see langword="true"/> when live.</returns>
    public bool IsValid(string key)
    {
        lock (Sync)
        {
            return FindLive(key) is not null;
        }
    }

    /// <summary>
    /// Makes a valid key's quota used up (or restores it): inference then answers it with the same
    /// <c>401 {"detail":"Unauthorized"}</c> as an invalid key, as Mistral does.
    /// </summary>
    /// <param name="key">The key's value.</param>
    /// <param name="exhausted">Whether the quota is used up.</param>
    public void SetQuotaExhausted(string key, bool exhausted = true)
    {
        lock (Sync)
        {
            var found = _keys.Find(k => k.Value == key) ?? throw new ArgumentException("The emulator never issued this key.", nameof(key));
            found.QuotaExhausted = exhausted;
        }
    }

    private protected override async Task HandleAsync(HttpContext context, string path)
    {
        var method = context.Request.Method;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (segments)
        {
            case ["v1", ..]:
                await InferenceAsync(context, method, segments[1..]).ConfigureAwait(false);
                return;
            case ["api", "admin", ..]:
                // The guide's header; a normal API key never grants admin access.
                if (context.Request.Headers["x-api-key"].ToString() != AdminKey)
                {
                    await WriteErrorAsync(context, 401, null, "Unauthorized").ConfigureAwait(false);
                    return;
                }

                switch (segments[2..])
                {
                    case ["api-keys"] when method == "GET":
                        await ListAsync(context).ConfigureAwait(false);
                        return;
                    case ["api-keys"] when method == "POST":
                        await CreateAsync(context).ConfigureAwait(false);
                        return;
                    case ["api-keys", ..]:
                        await WriteErrorAsync(context, 405, null, "Method Not Allowed").ConfigureAwait(false);
                        return;
                }

                break;
        }

        await WriteErrorAsync(context, 404, null, "Not Found").ConfigureAwait(false);
    }

    private protected override Task WriteErrorAsync(HttpContext context, int statusCode, string? errorCode, string message) => statusCode switch
    {
        // The observed bodies: 401 carries no hint of why (invalid key or exhausted quota).
        401 => WriteJsonAsync(context, 401, new JsonObject { ["detail"] = "Unauthorized" }),
        422 => WriteJsonAsync(context, 422, new JsonObject { ["detail"] = new JsonArray(new JsonObject { ["type"] = errorCode ?? "value_error", ["msg"] = message }) }),
        429 => WriteJsonAsync(context, 429, new JsonObject { ["object"] = "error", ["message"] = "Requests rate limit exceeded", ["type"] = errorCode ?? "rate_limited", ["param"] = null, ["code"] = "1300" }),
        >= 500 => WriteJsonAsync(context, statusCode, new JsonObject { ["detail"] = "Internal server error" }),
        _ => WriteJsonAsync(context, statusCode, new JsonObject { ["object"] = "error", ["message"] = message, ["type"] = errorCode ?? "invalid_request_error", ["param"] = null, ["code"] = null }),
    };

    private async Task InferenceAsync(HttpContext context, string method, string[] segments)
    {
        var bearer = BearerToken(context);
        (int Remaining, bool Allowed)? budget = null;
        lock (Sync)
        {
            if (bearer is not null && FindLive(bearer) is { QuotaExhausted: false } key)
            {
                budget = Spend(key);
            }
        }

        if (budget is not { } granted)
        {
            await WriteErrorAsync(context, 401, null, "Unauthorized").ConfigureAwait(false);
            return;
        }

        var headers = context.Response.Headers;
        headers["x-ratelimit-limit-req-minute"] = RequestsPerMinute.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-remaining-req-minute"] = granted.Remaining.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-limit-tokens-minute"] = TokensPerMinute.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-remaining-tokens-minute"] = TokensPerMinute.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-tokens-query-cost"] = "0";
        if (!granted.Allowed)
        {
            await WriteErrorAsync(context, 429, null, "Requests rate limit exceeded").ConfigureAwait(false);
            return;
        }

        if (segments is ["models"] && method == "GET")
        {
            await WriteJsonAsync(context, 200, new JsonObject
            {
                ["object"] = "list",
                ["data"] = new JsonArray(new JsonObject { ["id"] = "mistral-small-latest", ["object"] = "model", ["created"] = 1_700_000_000, ["owned_by"] = "mistralai" }),
            }).ConfigureAwait(false);
            return;
        }

        await WriteErrorAsync(context, 404, null, "Not Found").ConfigureAwait(false);
    }

    // One request of the key's per-minute budget (the current UTC minute of the emulator's clock).
    private (int Remaining, bool Allowed) Spend(Key key)
    {
        var minute = Time.GetUtcNow().ToUnixTimeSeconds() / 60;
        if (key.Minute != minute)
        {
            (key.Minute, key.RequestsThisMinute) = (minute, 0);
        }

        if (key.RequestsThisMinute >= RequestsPerMinute)
        {
            return (0, false);
        }

        key.RequestsThisMinute++;
        return (RequestsPerMinute - key.RequestsThisMinute, true);
    }

    private async Task ListAsync(HttpContext context)
    {
        var limit = Math.Clamp(QueryInt(context, "limit") ?? PageSize, 1, PageSize);
        var offset = Math.Max(0, QueryInt(context, "offset") ?? 0);
        JsonObject page;
        lock (Sync)
        {
            page = new JsonObject { ["keys"] = new JsonArray([.. _keys.Skip(offset).Take(limit).Select(k => (JsonNode)KeyJson(k, reveal: false))]) };
        }

        await WriteJsonAsync(context, 200, page).ConfigureAwait(false);
    }

    private async Task CreateAsync(HttpContext context)
    {
        var request = await ReadJsonAsync(context).ConfigureAwait(false);
        if (request?["name"]?.GetValue<string>() is not { Length: > 0 } name)
        {
            await WriteErrorAsync(context, 422, "missing", "name: Field required").ConfigureAwait(false);
            return;
        }

        DateOnly? expiresOn = null;
        if (request["expiration"]?.GetValue<string>() is { } expiration)
        {
            if (!DateOnly.TryParseExact(expiration, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                await WriteErrorAsync(context, 422, "date_from_datetime_parsing", "expiration: Input should be a valid date").ConfigureAwait(false);
                return;
            }

            if (parsed <= DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime))
            {
                await WriteErrorAsync(context, 422, "value_error", "expiration: must be in the future").ConfigureAwait(false);
                return;
            }

            expiresOn = parsed;
        }

        var key = NewKey(name, expiresOn, request["workspace_uuid"]?.GetValue<string>() ?? DefaultWorkspaceId);
        key.CreatedBy = request["user_id"]?.GetValue<string>() ?? key.CreatedBy;
        JsonObject body;
        lock (Sync)
        {
            _keys.Add(key);
            body = KeyJson(key, reveal: true);
        }

        await WriteJsonAsync(context, 200, body).ConfigureAwait(false);
    }

    private Key NewKey(string name, DateOnly? expiresOn, string workspace)
        => new(Guid.NewGuid().ToString(), FakeKeys.GenerateText(ProviderId.Mistral), Time.GetUtcNow(), workspace) { Name = name, ExpiresOn = expiresOn };

    private Key? FindLive(string value)
        => _keys.Find(k => k.Value == value && (k.ExpiresOn is not { } day || DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime) < day));

    private static JsonObject KeyJson(Key key, bool reveal)
    {
        var masked = key.Value[..4] + new string('*', key.Value.Length - 8) + key.Value[^4..];
        return new JsonObject
        {
            ["actions"] = new JsonObject(),
            ["can_delete"] = true,
            ["created_at"] = key.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["created_by"] = key.CreatedBy,
            ["expiration_date"] = key.ExpiresOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["hidden_key"] = masked,
            // The value is shown once, in the create answer; lists mask it as the console does.
            ["key"] = reveal ? key.Value : masked,
            ["key_id"] = key.Id,
            ["last_used"] = null,
            ["name"] = key.Name,
            ["product"] = "API",
            ["workspace_id"] = key.WorkspaceId,
            ["workspace_name"] = key.WorkspaceId == DefaultWorkspaceId ? "Default Workspace" : "Workspace",
        };
    }

    private sealed class Key(string id, string value, DateTimeOffset createdAt, string workspaceId)
    {
        public string Id { get; } = id;

        public string Value { get; } = value;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public string WorkspaceId { get; } = workspaceId;

        public required string Name { get; init; }

        public DateOnly? ExpiresOn { get; init; }

        public string CreatedBy { get; set; } = "00000000-0000-4000-8000-00000000c0de";

        public bool QuotaExhausted { get; set; }

        public long Minute { get; set; }

        public int RequestsThisMinute { get; set; }
    }
}
