using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace IronCage.Testing.Emulator;

/// <summary>
/// Cloudflare's Secrets Store API under <c>/client/v4</c>: <c>GET /accounts/{account_id}/secrets_store/stores</c>,
/// <c>GET</c>/<c>POST /accounts/{account_id}/secrets_store/stores/{store_id}/secrets</c> (list with <c>search</c>, create
/// a batch), <c>GET</c>/<c>PATCH …/secrets/{secret_id}</c>, and the token check <c>GET /user/tokens/verify</c>. Every
/// answer is Cloudflare's envelope <c>{"success", "errors", "messages", "result"}</c>; values are write-only (no answer
/// carries one). A missing token gets 400 (code 9106), a wrong one 403 (code 10000, "Authentication error"), and a write
/// while <see cref="ReadOnly"/> (a token with <c>Secrets Store Read</c> only) the same 403 while the token still verifies.
/// </summary>
public sealed class CloudflareSecretsStoreEmulator : SecretStoreEmulator
{
    private readonly List<StoredSecret> _secrets = [];

    private CloudflareSecretsStoreEmulator(TimeProvider? time)
        : base(time)
    {
    }

    /// <summary>Gets the account id.</summary>
    public string AccountId { get; } = NewId(32);

    /// <summary>Gets the id of the account's store (<c>default_secrets_store</c>).</summary>
    public string StoreId { get; } = NewId(32);

    /// <summary>Gets the API token the emulator accepts.</summary>
    public string ApiToken { get; } = NewId(40);

    /// <summary>Gets the API's base address, playing <c>https://api.cloudflare.com/client/v4/</c>.</summary>
    public Uri ApiBaseAddress => new(BaseAddress, "client/v4/");

    /// <summary>Gets or sets a value indicating whether writes are denied (a token with <c>Secrets Store Read</c> only).</summary>
    public bool ReadOnly { get; set; }

    /// <summary>Gets how many creates and patches were applied.</summary>
    public int Writes { get; private set; }

    /// <summary>Starts a Cloudflare Secrets Store emulator.</summary>
    /// <param name="time">The time secrets are stamped with; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator; dispose it to stop it.</returns>
    public static async Task<CloudflareSecretsStoreEmulator> StartAsync(TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var emulator = new CloudflareSecretsStoreEmulator(time);
        await emulator.StartCoreAsync(null, cancellationToken).ConfigureAwait(false);
        return emulator;
    }

    /// <summary>Seeds a secret in the account's store.</summary>
    /// <param name="name">The secret's name (for AI Gateway BYOK, <c>{gatewayId}_{providerSlug}_{alias}</c>).</param>
    /// <param name="value">Its value.</param>
    /// <param name="scopes">Its scopes; <c>ai_gateway</c> when none is given.</param>
    /// <param name="comment">Its comment, if any.</param>
    public void AddSecret(string name, string value, IReadOnlyList<string>? scopes = null, string? comment = null)
    {
        lock (Sync)
        {
            _secrets.Add(new StoredSecret(NewId(32), name) { Value = value, Scopes = [.. scopes ?? ["ai_gateway"]], Comment = comment, Created = Time.GetUtcNow(), Modified = Time.GetUtcNow() });
        }
    }

    /// <summary>Gets a secret's value, or <see langword="null"/>.</summary>
    /// <param name="name">The secret's name.</param>
    /// <returns>The value.</returns>
    public string? GetValue(string name)
    {
        lock (Sync)
        {
            return _secrets.Find(s => s.Name == name)?.Value;
        }
    }

    /// <summary>Gets a secret's scopes, or <see langword="null"/>.</summary>
    /// <param name="name">The secret's name.</param>
    /// <returns>The scopes.</returns>
    public IReadOnlyList<string>? GetScopes(string name)
    {
        lock (Sync)
        {
            return _secrets.Find(s => s.Name == name)?.Scopes.ToList();
        }
    }

    private protected override async Task HandleAsync(HttpContext context, string path)
    {
        var token = BearerToken(context);
        if (token is null)
        {
            await WriteEnvelopeAsync(context, 400, null, 9106, "Missing X-Auth-Key, X-Auth-Email or Authorization headers").ConfigureAwait(false);
            return;
        }

        if (!string.Equals(token, ApiToken, StringComparison.Ordinal))
        {
            await WriteEnvelopeAsync(context, 403, null, 10000, "Authentication error").ConfigureAwait(false);
            return;
        }

        var segments = path.Trim('/').Split('/');
        var method = context.Request.Method;
        switch (segments)
        {
            case ["client", "v4", "user", "tokens", "verify"] or ["client", "v4", "accounts", _, "tokens", "verify"]:
                await WriteEnvelopeAsync(context, 200, new JsonObject { ["id"] = NewId(32), ["status"] = "active" }).ConfigureAwait(false);
                return;
            case ["client", "v4", "accounts", var account, "secrets_store", ..] when account != AccountId:
                await WriteEnvelopeAsync(context, 403, null, 10000, "Authentication error").ConfigureAwait(false);
                return;
            case ["client", "v4", "accounts", _, "secrets_store", "stores"] when HttpMethods.IsGet(method):
                await WriteEnvelopeAsync(context, 200, new JsonArray(new JsonObject { ["id"] = StoreId, ["name"] = "default_secrets_store", ["created"] = Iso(Time.GetUtcNow()), ["modified"] = Iso(Time.GetUtcNow()), ["account_id"] = AccountId }), resultInfo: 1).ConfigureAwait(false);
                return;
            case ["client", "v4", "accounts", _, "secrets_store", "stores", var store, "secrets", ..] when store != StoreId:
                await WriteEnvelopeAsync(context, 404, null, 1001, "store_not_found").ConfigureAwait(false);
                return;
            case ["client", "v4", "accounts", _, "secrets_store", "stores", _, "secrets"] when HttpMethods.IsGet(method):
                await ListAsync(context).ConfigureAwait(false);
                return;
            case ["client", "v4", "accounts", _, "secrets_store", "stores", _, "secrets"] when HttpMethods.IsPost(method):
                await CreateAsync(context).ConfigureAwait(false);
                return;
            case ["client", "v4", "accounts", _, "secrets_store", "stores", _, "secrets", var id] when HttpMethods.IsGet(method) || HttpMethods.IsPatch(method):
                await SecretAsync(context, id).ConfigureAwait(false);
                return;
            default:
                await WriteEnvelopeAsync(context, 404, null, 7003, "Could not route to " + path + ", perhaps your object identifier is invalid?").ConfigureAwait(false);
                return;
        }
    }

    private protected override Task WriteErrorAsync(HttpContext context, int statusCode, string message)
        => WriteEnvelopeAsync(context, statusCode, null, statusCode == 429 ? 10429 : 10002, message);

    private static Task WriteEnvelopeAsync(HttpContext context, int status, JsonNode? result, int? errorCode = null, string? errorMessage = null, int? resultInfo = null)
    {
        var body = new JsonObject
        {
            ["success"] = errorCode is null,
            ["errors"] = errorCode is null ? new JsonArray() : new JsonArray(new JsonObject { ["code"] = errorCode, ["message"] = errorMessage }),
            ["messages"] = new JsonArray(),
            ["result"] = result,
        };
        if (resultInfo is { } count)
        {
            body["result_info"] = new JsonObject { ["page"] = 1, ["per_page"] = Math.Max(count, 20), ["count"] = count, ["total_count"] = count };
        }

        return WriteJsonAsync(context, status, body);
    }

    private JsonObject Describe(StoredSecret secret) => new()
    {
        ["id"] = secret.Id,
        ["name"] = secret.Name,
        ["comment"] = secret.Comment,
        ["scopes"] = new JsonArray([.. secret.Scopes.Select(s => (JsonNode?)JsonValue.Create(s))]),
        ["status"] = "active",
        ["store_id"] = StoreId,
        ["created"] = Iso(secret.Created),
        ["modified"] = Iso(secret.Modified),
    };

    private async Task ListAsync(HttpContext context)
    {
        var search = context.Request.Query["search"].ToString();
        var page = new JsonArray();
        lock (Sync)
        {
            foreach (var secret in _secrets.Where(s => search.Length == 0 || s.Name.Contains(search, StringComparison.OrdinalIgnoreCase)))
            {
                page.Add((JsonNode)Describe(secret));
            }
        }

        await WriteEnvelopeAsync(context, 200, page, resultInfo: page.Count).ConfigureAwait(false);
    }

    private async Task CreateAsync(HttpContext context)
    {
        if (ReadOnly)
        {
            await WriteEnvelopeAsync(context, 403, null, 10000, "Authentication error").ConfigureAwait(false);
            return;
        }

        if (ParseJson(await ReadBodyAsync(context).ConfigureAwait(false)) is not JsonArray items || items.Count == 0)
        {
            await WriteEnvelopeAsync(context, 400, null, 1002, "The request body must be a non-empty array of secrets.").ConfigureAwait(false);
            return;
        }

        var created = new JsonArray();
        lock (Sync)
        {
            foreach (var item in items.OfType<JsonObject>())
            {
                var name = item["name"]?.GetValue<string>() ?? string.Empty;
                if (_secrets.Exists(s => s.Name == name))
                {
                    created = null;
                    break;
                }

                var secret = new StoredSecret(NewId(32), name)
                {
                    Value = item["value"]?.GetValue<string>() ?? string.Empty,
                    Scopes = [.. (item["scopes"] as JsonArray ?? []).Select(s => s!.GetValue<string>())],
                    Comment = item["comment"]?.GetValue<string>(),
                    Created = Time.GetUtcNow(),
                    Modified = Time.GetUtcNow(),
                };
                _secrets.Add(secret);
                Writes++;
                created.Add((JsonNode)Describe(secret));
            }
        }

        if (created is null)
        {
            await WriteEnvelopeAsync(context, 409, null, 1003, "secret_name_already_exists").ConfigureAwait(false);
            return;
        }

        await WriteEnvelopeAsync(context, 200, created, resultInfo: created.Count).ConfigureAwait(false);
    }

    private async Task SecretAsync(HttpContext context, string id)
    {
        var patch = HttpMethods.IsPatch(context.Request.Method);
        if (patch && ReadOnly)
        {
            await WriteEnvelopeAsync(context, 403, null, 10000, "Authentication error").ConfigureAwait(false);
            return;
        }

        var body = patch ? ParseJson(await ReadBodyAsync(context).ConfigureAwait(false)) as JsonObject : null;
        JsonObject? result = null;
        lock (Sync)
        {
            if (_secrets.Find(s => s.Id == id) is { } secret)
            {
                if (body is not null)
                {
                    if (body["value"]?.GetValue<string>() is { } value)
                    {
                        secret.Value = value;
                    }

                    if (body["scopes"] is JsonArray scopes)
                    {
                        secret.Scopes = [.. scopes.Select(s => s!.GetValue<string>())];
                    }

                    if (body.ContainsKey("comment"))
                    {
                        secret.Comment = body["comment"]?.GetValue<string>();
                    }

                    secret.Modified = Time.GetUtcNow();
                    Writes++;
                }

                result = Describe(secret);
            }
        }

        if (result is null)
        {
            await WriteEnvelopeAsync(context, 404, null, 1001, "secret_not_found").ConfigureAwait(false);
            return;
        }

        await WriteEnvelopeAsync(context, 200, result).ConfigureAwait(false);
    }

    private sealed class StoredSecret(string id, string name)
    {
        public string Id { get; } = id;

        public string Name { get; } = name;

        public string Value { get; set; } = string.Empty;

        public List<string> Scopes { get; set; } = [];

        public string? Comment { get; set; }

        public DateTimeOffset Created { get; init; }

        public DateTimeOffset Modified { get; set; }

        public override string ToString() => $"{Name} ({Id})";
    }
}
