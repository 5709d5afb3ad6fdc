using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace IronCage.Testing.Emulator;

/// <summary>
/// HashiCorp Vault's KV version 2 secrets engine (mounted at <see cref="Mount"/>: <c>GET/POST /v1/{mount}/data/{path}</c>
/// with <c>options.cas</c>, <c>GET /v1/{mount}/metadata/{path}</c>, <c>LIST</c> on metadata) and AppRole login
/// (<c>POST /v1/auth/approle/login</c>). Requests carry <c>X-Vault-Token</c>; a missing or unknown token, or a write while
/// <see cref="ReadOnly"/>, is answered 403 <c>{"errors":["permission denied"]}</c>, as Vault does.
/// </summary>
public sealed class VaultEmulator : SecretStoreEmulator
{
    private readonly Dictionary<string, List<KvVersion>> _kv = new(StringComparer.Ordinal);
    private readonly HashSet<string> _tokens = new(StringComparer.Ordinal);

    private VaultEmulator(TimeProvider? time)
        : base(time)
    {
        _tokens.Add(RootToken);
    }

    /// <summary>Gets a token with access to everything (Vault's root token).</summary>
    public string RootToken { get; } = "hvs." + NewId(24);

    /// <summary>Gets the AppRole role id that, with <see cref="SecretId"/>, logs in.</summary>
    public string RoleId { get; } = Guid.NewGuid().ToString();

    /// <summary>Gets the AppRole secret id.</summary>
    public string SecretId { get; } = Guid.NewGuid().ToString();

    /// <summary>Gets the path the KV v2 engine is mounted at.</summary>
    /// <value>The default value is <c>secret</c>, as in Vault's dev server.</value>
    public string Mount { get; init; } = "secret";

    /// <summary>Gets or sets a value indicating whether writes are denied (a policy with <c>read</c> and <c>list</c> only).</summary>
    public bool ReadOnly { get; set; }

    /// <summary>Gets how many AppRole logins succeeded.</summary>
    public int Logins { get; private set; }

    /// <summary>Starts a Vault emulator.</summary>
    /// <param name="time">The time versions are stamped with; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator; dispose it to stop it.</returns>
    public static async Task<VaultEmulator> StartAsync(TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var emulator = new VaultEmulator(time);
        await emulator.StartCoreAsync(null, cancellationToken).ConfigureAwait(false);
        return emulator;
    }

    /// <summary>Seeds a new version of a secret, as <c>vault kv put</c> would.</summary>
    /// <param name="path">The secret's path under the mount.</param>
    /// <param name="data">Its key/value pairs.</param>
    /// <returns>The new version number.</returns>
    public int Write(string path, IReadOnlyDictionary<string, string> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(data);
        lock (Sync)
        {
            return Append(path, new Dictionary<string, string>(data, StringComparer.Ordinal)).Version;
        }
    }

    /// <summary>Gets a secret's latest data, or <see langword="null"/> when there is no such secret.</summary>
    /// <param name="path">The secret's path under the mount.</param>
    /// <returns>The key/value pairs.</returns>
    public IReadOnlyDictionary<string, string>? Read(string path)
    {
        lock (Sync)
        {
            return _kv.TryGetValue(path, out var versions) ? new Dictionary<string, string>(versions[^1].Data) : null;
        }
    }

    /// <summary>Gets a secret's current version number (0 when there is no such secret).</summary>
    /// <param name="path">The secret's path under the mount.</param>
    /// <returns>The version.</returns>
    public int CurrentVersion(string path)
    {
        lock (Sync)
        {
            return _kv.TryGetValue(path, out var versions) ? versions[^1].Version : 0;
        }
    }

    /// <summary>Soft-deletes the latest version of a secret, as <c>DELETE /v1/{mount}/data/{path}</c> does: reads then answer 404 with the version's metadata.</summary>
    /// <param name="path">The secret's path under the mount.</param>
    /// <returns><see langword="true"/> when there was a version to delete.</returns>
    public bool DeleteLatest(string path)
    {
        lock (Sync)
        {
            if (!_kv.TryGetValue(path, out var versions))
            {
                return false;
            }

            versions[^1] = versions[^1] with { Deleted = Time.GetUtcNow() };
            return true;
        }
    }

    private protected override async Task HandleAsync(HttpContext context, string path)
    {
        var method = context.Request.Method;
        if (path == "/v1/auth/approle/login" && HttpMethods.IsPost(method))
        {
            await LoginAsync(context).ConfigureAwait(false);
            return;
        }

        var token = context.Request.Headers["X-Vault-Token"].ToString();
        if (string.IsNullOrEmpty(token))
        {
            token = BearerToken(context) ?? string.Empty;
        }

        bool known;
        lock (Sync)
        {
            known = _tokens.Contains(token);
        }

        if (!known)
        {
            await WriteErrorAsync(context, 403, "permission denied").ConfigureAwait(false);
            return;
        }

        if (path == "/v1/auth/token/lookup-self" && HttpMethods.IsGet(method))
        {
            // The default policy lets every token look itself up; IronCage uses it to tell a bad token from a missing policy.
            await WriteJsonAsync(context, 200, Envelope(new JsonObject { ["id"] = token, ["policies"] = new JsonArray("default", "ironcage"), ["ttl"] = 2764800 })).ConfigureAwait(false);
            return;
        }

        var prefix = $"/v1/{Mount}/";
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
        {
            await WriteErrorAsync(context, 404, $"no handler for route \"{path.TrimStart('/')[3..]}\". route entry not found.").ConfigureAwait(false);
            return;
        }

        var rest = path[prefix.Length..];
        var isList = string.Equals(method, "LIST", StringComparison.Ordinal) || (HttpMethods.IsGet(method) && string.Equals(context.Request.Query["list"], "true", StringComparison.Ordinal));
        if (rest.StartsWith("data/", StringComparison.Ordinal) && (HttpMethods.IsPost(method) || HttpMethods.IsPut(method)))
        {
            await WriteAsync(context, rest["data/".Length..]).ConfigureAwait(false);
        }
        else if (rest.StartsWith("data/", StringComparison.Ordinal) && HttpMethods.IsGet(method))
        {
            await ReadAsync(context, rest["data/".Length..]).ConfigureAwait(false);
        }
        else if (rest.StartsWith("metadata", StringComparison.Ordinal) && isList)
        {
            await ListAsync(context, rest["metadata".Length..].TrimStart('/')).ConfigureAwait(false);
        }
        else if (rest.StartsWith("metadata/", StringComparison.Ordinal) && HttpMethods.IsGet(method))
        {
            await MetadataAsync(context, rest["metadata/".Length..]).ConfigureAwait(false);
        }
        else
        {
            await WriteErrorAsync(context, 405, "unsupported operation").ConfigureAwait(false);
        }
    }

    private protected override Task WriteErrorAsync(HttpContext context, int statusCode, string message)
        => WriteJsonAsync(context, statusCode, new JsonObject { ["errors"] = new JsonArray(JsonValue.Create(message)) });

    private static JsonObject Envelope(JsonNode? data, JsonNode? auth = null) => new()
    {
        ["request_id"] = Guid.NewGuid().ToString(),
        ["lease_id"] = string.Empty,
        ["renewable"] = false,
        ["lease_duration"] = 0,
        ["data"] = data,
        ["wrap_info"] = null,
        ["warnings"] = null,
        ["auth"] = auth,
    };

    private static JsonObject VersionMetadata(KvVersion version) => new()
    {
        ["created_time"] = Iso(version.Created),
        ["custom_metadata"] = null,
        ["deletion_time"] = version.Deleted is { } deleted ? Iso(deleted) : string.Empty,
        ["destroyed"] = false,
        ["version"] = version.Version,
    };

    private async Task LoginAsync(HttpContext context)
    {
        var body = ParseJson(await ReadBodyAsync(context).ConfigureAwait(false)) as JsonObject;
        if (!string.Equals(body?["role_id"]?.GetValue<string>(), RoleId, StringComparison.Ordinal) || !string.Equals(body?["secret_id"]?.GetValue<string>(), SecretId, StringComparison.Ordinal))
        {
            await WriteErrorAsync(context, 400, "invalid role or secret ID").ConfigureAwait(false);
            return;
        }

        var token = "hvs." + NewId(24);
        lock (Sync)
        {
            _tokens.Add(token);
            Logins++;
        }

        await WriteJsonAsync(context, 200, Envelope(null, new JsonObject
        {
            ["client_token"] = token,
            ["accessor"] = NewId(24),
            ["policies"] = new JsonArray("default", "ironcage"),
            ["token_policies"] = new JsonArray("default", "ironcage"),
            ["metadata"] = new JsonObject { ["role_name"] = "ironcage" },
            ["lease_duration"] = 2764800,
            ["renewable"] = true,
            ["entity_id"] = Guid.NewGuid().ToString(),
            ["token_type"] = "service",
            ["orphan"] = true,
        })).ConfigureAwait(false);
    }

    private async Task WriteAsync(HttpContext context, string path)
    {
        if (ReadOnly)
        {
            await WriteErrorAsync(context, 403, "permission denied").ConfigureAwait(false);
            return;
        }

        var body = ParseJson(await ReadBodyAsync(context).ConfigureAwait(false)) as JsonObject;
        if (body?["data"] is not JsonObject dataObject)
        {
            await WriteErrorAsync(context, 400, "no data provided").ConfigureAwait(false);
            return;
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in dataObject)
        {
            data[name] = value?.ToString() ?? string.Empty;
        }

        var cas = body["options"]?["cas"]?.GetValue<int>();
        KvVersion? written = null;
        lock (Sync)
        {
            var current = _kv.TryGetValue(path, out var versions) ? versions[^1].Version : 0;
            if (cas is null || cas == current)
            {
                written = Append(path, data);
            }
        }

        if (written is null)
        {
            await WriteErrorAsync(context, 400, "check-and-set parameter did not match the current version").ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(context, 200, Envelope(VersionMetadata(written))).ConfigureAwait(false);
    }

    private async Task ReadAsync(HttpContext context, string path)
    {
        var requested = int.TryParse(context.Request.Query["version"].ToString(), CultureInfo.InvariantCulture, out var v) && v > 0 ? v : (int?)null;
        KvVersion? version;
        lock (Sync)
        {
            version = _kv.TryGetValue(path, out var versions) ? requested is null ? versions[^1] : versions.Find(x => x.Version == requested) : null;
        }

        if (version is null)
        {
            await WriteJsonAsync(context, 404, new JsonObject { ["errors"] = new JsonArray() }).ConfigureAwait(false);
            return;
        }

        if (version.Deleted is not null)
        {
            // Vault's KV v2: a deleted version reads as 404 with the envelope, data.data null and its metadata.
            await WriteJsonAsync(context, 404, Envelope(new JsonObject { ["data"] = null, ["metadata"] = VersionMetadata(version) })).ConfigureAwait(false);
            return;
        }

        var data = new JsonObject();
        foreach (var (name, value) in version.Data)
        {
            data[name] = value;
        }

        await WriteJsonAsync(context, 200, Envelope(new JsonObject { ["data"] = data, ["metadata"] = VersionMetadata(version) })).ConfigureAwait(false);
    }

    private async Task MetadataAsync(HttpContext context, string path)
    {
        List<KvVersion>? versions;
        lock (Sync)
        {
            versions = _kv.TryGetValue(path, out var found) ? [.. found] : null;
        }

        if (versions is null)
        {
            await WriteJsonAsync(context, 404, new JsonObject { ["errors"] = new JsonArray() }).ConfigureAwait(false);
            return;
        }

        var all = new JsonObject();
        foreach (var version in versions)
        {
            all[version.Version.ToString(CultureInfo.InvariantCulture)] = new JsonObject { ["created_time"] = Iso(version.Created), ["deletion_time"] = string.Empty, ["destroyed"] = false };
        }

        await WriteJsonAsync(context, 200, Envelope(new JsonObject
        {
            ["cas_required"] = false,
            ["created_time"] = Iso(versions[0].Created),
            ["current_version"] = versions[^1].Version,
            ["custom_metadata"] = null,
            ["delete_version_after"] = "0s",
            ["max_versions"] = 0,
            ["oldest_version"] = 0,
            ["updated_time"] = Iso(versions[^1].Created),
            ["versions"] = all,
        })).ConfigureAwait(false);
    }

    private async Task ListAsync(HttpContext context, string folder)
    {
        var prefix = folder.Length == 0 || folder.EndsWith('/') ? folder : folder + "/";
        SortedSet<string> keys;
        lock (Sync)
        {
            keys = new SortedSet<string>(_kv.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).Select(k =>
            {
                var rest = k[prefix.Length..];
                var slash = rest.IndexOf('/', StringComparison.Ordinal);
                return slash < 0 ? rest : rest[..(slash + 1)];
            }), StringComparer.Ordinal);
        }

        if (keys.Count == 0)
        {
            await WriteJsonAsync(context, 404, new JsonObject { ["errors"] = new JsonArray() }).ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(context, 200, Envelope(new JsonObject { ["keys"] = new JsonArray([.. keys.Select(k => (JsonNode?)JsonValue.Create(k))]) })).ConfigureAwait(false);
    }

    private KvVersion Append(string path, Dictionary<string, string> data)
    {
        if (!_kv.TryGetValue(path, out var versions))
        {
            versions = [];
            _kv[path] = versions;
        }

        var version = new KvVersion(versions.Count + 1, data, Time.GetUtcNow());
        versions.Add(version);
        return version;
    }

    private sealed record KvVersion(int Version, Dictionary<string, string> Data, DateTimeOffset Created)
    {
        public DateTimeOffset? Deleted { get; init; }
    }
}
