using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace IronCage.Testing.Emulator;

/// <summary>
/// Perplexity's key API as PROVIDERS.md §15 describes it, for one API group, every call authenticated with a live key of
/// the group as <c>Authorization: Bearer</c>: <c>POST /generate_auth_token</c> (optional <c>token_name</c>; the value is
/// returned once in <c>auth_token</c>) and <c>POST /revoke_auth_token</c>, which takes the full key in <c>auth_token</c>
/// (there is no id). There is no list, read or expiry. A minimal OpenAI-compatible <c>POST /chat/completions</c>
/// answers a live key and refuses any other with 401.
/// </summary>
/// <remarks>
/// What Perplexity answers for revoking a key twice is not documented: the emulator answers 200 for any key it issued
/// (revoking is idempotent) and 404 for a value it never issued.
/// </remarks>
public sealed class PerplexityEmulator : EmulatedProvider
{
    private readonly List<Key> _keys = [];

    internal PerplexityEmulator(Uri baseAddress, TimeProvider time)
        : base(baseAddress, time)
    {
        // The key a person created in the console with the API group: it authenticates the key calls.
        var management = NewKey();
        _keys.Add(management);
        ManagementKey = management.Value;
    }

    /// <summary>Gets the API group's existing key that authenticates the key calls: set it as <c>PerplexityProviderOptions.ManagementKey</c>.</summary>
    public string ManagementKey { get; }

    /// <summary>Seeds a key of the API group, as a person creates one in the console.</summary>
    /// <param name="name">The key's token name.</param>
    /// <returns>The key (its id is its token name, as IronCage records it) with its value.</returns>
    public EmulatedKey AddKey(string name = "seeded-key")
    {
        var key = NewKey();
        lock (Sync)
        {
            _keys.Add(key);
        }

        return new EmulatedKey(name, name, key.Value);
    }

    /// <summary>Tells whether a value is a live key (issued and not revoked).</summary>
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
        bool authenticated;
        lock (Sync)
        {
            authenticated = bearer is not null && FindLive(bearer) is not null;
        }

        if (!authenticated)
        {
            await WriteErrorAsync(context, 401, "invalid_api_key", bearer is null ? "Missing API key" : "Invalid API key provided").ConfigureAwait(false);
            return;
        }

        switch (path.Trim('/'))
        {
            case "generate_auth_token" when method == "POST":
                await GenerateAsync(context).ConfigureAwait(false);
                return;
            case "revoke_auth_token" when method == "POST":
                await RevokeAsync(context).ConfigureAwait(false);
                return;
            case "chat/completions" when method == "POST":
                await WriteChatCompletionAsync(context, await ReadJsonAsync(context).ConfigureAwait(false)).ConfigureAwait(false);
                return;
            default:
                await WriteErrorAsync(context, 404, "not_found", $"Not found: {method} /{path}").ConfigureAwait(false);
                return;
        }
    }

    private protected override Task WriteErrorAsync(HttpContext context, int statusCode, string? errorCode, string message)
        => WriteJsonAsync(context, statusCode, new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["message"] = message,
                ["type"] = errorCode ?? statusCode switch
                {
                    401 => "invalid_api_key",
                    429 => "rate_limit_exceeded",
                    >= 500 => "internal_server_error",
                    _ => "invalid_request_error",
                },
                ["code"] = statusCode,
            },
        });

    private async Task GenerateAsync(HttpContext context)
    {
        var request = await ReadJsonAsync(context).ConfigureAwait(false);
        var name = request?["token_name"]?.GetValue<string>();
        var key = NewKey();
        lock (Sync)
        {
            _keys.Add(key);
        }

        await WriteJsonAsync(context, 200, new JsonObject
        {
            ["auth_token"] = key.Value,
            ["created_at_epoch_seconds"] = UnixNow(),
            ["token_name"] = name,
        }).ConfigureAwait(false);
    }

    private async Task RevokeAsync(HttpContext context)
    {
        var request = await ReadJsonAsync(context).ConfigureAwait(false);
        if (request?["auth_token"]?.GetValue<string>() is not { Length: > 0 } token)
        {
            await WriteErrorAsync(context, 400, null, "auth_token: Field required").ConfigureAwait(false);
            return;
        }

        bool known;
        lock (Sync)
        {
            var key = _keys.Find(k => k.Value == token);
            known = key is not null;
            if (key is not null)
            {
                key.Revoked = true;
            }
        }

        if (!known)
        {
            // Never the value itself in the answer: a client might log it.
            await WriteErrorAsync(context, 404, "not_found", "Auth token not found.").ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = 200;
    }

    private static Key NewKey() => new(FakeKeys.GenerateText(ProviderId.Perplexity));

    private Key? FindLive(string value) => _keys.Find(k => k.Value == value && !k.Revoked);

    private sealed class Key(string value)
    {
        public string Value { get; } = value;

        public bool Revoked { get; set; }
    }
}
