using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace IronCage.Testing.Emulator;

/// <summary>
/// Azure Key Vault's secrets API (<c>PUT/GET /secrets/{name}[/{version}]</c>, <c>GET /secrets</c>,
/// <c>GET /secrets/{name}/versions</c>) over HTTPS on 127.0.0.1 with a self-signed certificate. A request without a
/// bearer token gets Key Vault's 401 challenge (<c>WWW-Authenticate: Bearer authorization="…", resource="https://vault.azure.net"</c>),
/// a wrong token a 401, a write while <see cref="ReadOnly"/> a 403 <c>ForbiddenByRbac</c>.
/// </summary>
/// <remarks>
/// Point <c>SecretClient</c> at <see cref="SecretStoreEmulator.BaseAddress"/> with a transport over
/// <see cref="CreateHttpMessageHandler"/> (which trusts this server's certificate only), a credential that returns
/// <see cref="AccessToken"/>, and <c>DisableChallengeResourceVerification = true</c> (the challenge names
/// <c>vault.azure.net</c>, the server is 127.0.0.1).
/// </remarks>
public sealed partial class KeyVaultEmulator : SecretStoreEmulator
{
    private readonly Dictionary<string, List<SecretVersion>> _secrets = new(StringComparer.OrdinalIgnoreCase);
    private readonly X509Certificate2 _certificate;

    private KeyVaultEmulator(TimeProvider? time, X509Certificate2 certificate)
        : base(time)
    {
        _certificate = certificate;
    }

    /// <summary>Gets the access token the emulator accepts; any other bearer token is answered 401.</summary>
    public string AccessToken { get; } = "kv-emulator-token-" + NewId(16);

    /// <summary>Gets the tenant the 401 challenge names.</summary>
    public string TenantId { get; } = "00000000-0000-0000-0000-00000000cafe";

    /// <summary>Gets or sets a value indicating whether writes are denied with 403 <c>ForbiddenByRbac</c> (a principal with <c>Key Vault Secrets User</c> only).</summary>
    public bool ReadOnly { get; set; }

    /// <summary>Starts a Key Vault emulator.</summary>
    /// <param name="time">The time secret versions are stamped with; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator; dispose it to stop it.</returns>
    public static async Task<KeyVaultEmulator> StartAsync(TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var emulator = new KeyVaultEmulator(time, CreateCertificate());
        await emulator.StartCoreAsync(emulator._certificate, cancellationToken).ConfigureAwait(false);
        return emulator;
    }

    /// <summary>Creates a handler that trusts this emulator's self-signed certificate (and no other); use it as the SDK's transport.</summary>
    /// <returns>The handler; the caller owns it.</returns>
    public HttpMessageHandler CreateHttpMessageHandler()
    {
        var thumbprint = _certificate.GetCertHashString(HashAlgorithmName.SHA256);
        return new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && string.Equals(certificate.GetCertHashString(HashAlgorithmName.SHA256), thumbprint, StringComparison.Ordinal),
            },
        };
    }

    /// <summary>Seeds a secret version, as an operator would have stored it.</summary>
    /// <param name="name">The secret's name.</param>
    /// <param name="value">The value.</param>
    /// <param name="tags">Its tags, if any.</param>
    /// <param name="contentType">Its content type, if any.</param>
    /// <returns>The new version's id.</returns>
    public string SetSecret(string name, string value, IReadOnlyDictionary<string, string>? tags = null, string? contentType = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        lock (Sync)
        {
            return AddVersion(name, value, contentType, tags ?? new Dictionary<string, string>()).Version;
        }
    }

    /// <summary>Gets a secret's latest value, or <see langword="null"/> when there is no such secret.</summary>
    /// <param name="name">The secret's name.</param>
    /// <returns>The value.</returns>
    public string? GetValue(string name)
    {
        lock (Sync)
        {
            return _secrets.TryGetValue(name, out var versions) ? versions[^1].Value : null;
        }
    }

    /// <summary>Gets a secret's latest tags, or <see langword="null"/> when there is no such secret.</summary>
    /// <param name="name">The secret's name.</param>
    /// <returns>The tags.</returns>
    public IReadOnlyDictionary<string, string>? GetTags(string name)
    {
        lock (Sync)
        {
            return _secrets.TryGetValue(name, out var versions) ? new Dictionary<string, string>(versions[^1].Tags) : null;
        }
    }

    /// <summary>Gets how many versions a secret has (0 when there is no such secret).</summary>
    /// <param name="name">The secret's name.</param>
    /// <returns>The count.</returns>
    public int VersionCount(string name)
    {
        lock (Sync)
        {
            return _secrets.TryGetValue(name, out var versions) ? versions.Count : 0;
        }
    }

    private protected override async Task HandleAsync(HttpContext context, string path)
    {
        var token = BearerToken(context);
        if (token is null)
        {
            context.Response.Headers.WWWAuthenticate = $"Bearer authorization=\"https://login.microsoftonline.com/{TenantId}\", resource=\"https://vault.azure.net\"";
            await WriteErrorAsync(context, 401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.").ConfigureAwait(false);
            return;
        }

        if (!string.Equals(token, AccessToken, StringComparison.Ordinal))
        {
            await WriteErrorAsync(context, 401, "Unauthorized", $"AKV10032: Invalid issuer. Expected one of https://sts.windows.net/{TenantId}/.").ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrEmpty(context.Request.Query["api-version"].ToString()))
        {
            await WriteErrorAsync(context, 400, "BadParameter", "The request URI contains an invalid query parameter: api-version is missing.").ConfigureAwait(false);
            return;
        }

        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = context.Request.Method;
        if (segments.Length == 0 || !string.Equals(segments[0], "secrets", StringComparison.Ordinal))
        {
            await WriteErrorAsync(context, 404, "NotFound", "The requested resource was not found.").ConfigureAwait(false);
            return;
        }

        switch (segments.Length, method)
        {
            case (1, "GET"):
                await ListAsync(context, null).ConfigureAwait(false);
                return;
            case (2, "PUT"):
                await SetAsync(context, segments[1]).ConfigureAwait(false);
                return;
            case (2, "GET"):
                await GetAsync(context, segments[1], null).ConfigureAwait(false);
                return;
            case (3, "GET") when string.Equals(segments[2], "versions", StringComparison.Ordinal):
                await ListAsync(context, segments[1]).ConfigureAwait(false);
                return;
            case (3, "GET"):
                await GetAsync(context, segments[1], segments[2]).ConfigureAwait(false);
                return;
            default:
                await WriteErrorAsync(context, 405, "MethodNotAllowed", $"The {method} method is not allowed on {path}.").ConfigureAwait(false);
                return;
        }
    }

    private protected override Task WriteErrorAsync(HttpContext context, int statusCode, string message)
        => WriteErrorAsync(context, statusCode, statusCode switch { 401 => "Unauthorized", 403 => "Forbidden", 404 => "NotFound", 429 => "Throttled", _ => "InternalServerError" }, message);

    private static Task WriteErrorAsync(HttpContext context, int statusCode, string code, string message, string? innerCode = null)
    {
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (innerCode is not null)
        {
            error["innererror"] = new JsonObject { ["code"] = innerCode };
        }

        return WriteJsonAsync(context, statusCode, new JsonObject { ["error"] = error });
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.FromUnixTimeSeconds(0).AddYears(56);
        using var certificate = request.CreateSelfSigned(now, now.AddYears(20));

        // Kestrel on Linux needs the private key in an exportable, persisted form: round-trip through PKCS#12.
#if NET9_0_OR_GREATER
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
#else
        return new X509Certificate2(certificate.Export(X509ContentType.Pfx));
#endif
    }

    [GeneratedRegex("^[0-9a-zA-Z-]{1,127}$")]
    private static partial Regex SecretName();

    private async Task SetAsync(HttpContext context, string name)
    {
        if (ReadOnly)
        {
            await WriteErrorAsync(context, 403, "Forbidden", "Caller is not authorized to perform action on resource. Action: 'Microsoft.KeyVault/vaults/secrets/setSecret/action'.", "ForbiddenByRbac").ConfigureAwait(false);
            return;
        }

        if (!SecretName().IsMatch(name))
        {
            await WriteErrorAsync(context, 400, "BadParameter", "The request URI contains an invalid name: secret names may contain only 0-9, a-z, A-Z and -.").ConfigureAwait(false);
            return;
        }

        var body = ParseJson(await ReadBodyAsync(context).ConfigureAwait(false)) as JsonObject;
        if (body?["value"]?.GetValue<string>() is not { } value)
        {
            await WriteErrorAsync(context, 400, "BadParameter", "Property value is required.").ConfigureAwait(false);
            return;
        }

        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (body["tags"] is JsonObject tagObject)
        {
            foreach (var (tagName, tagValue) in tagObject)
            {
                tags[tagName] = tagValue?.GetValue<string>() ?? string.Empty;
            }
        }

        SecretVersion version;
        lock (Sync)
        {
            version = AddVersion(name, value, body["contentType"]?.GetValue<string>(), tags);
        }

        await WriteJsonAsync(context, 200, Bundle(version, includeValue: true)).ConfigureAwait(false);
    }

    private async Task GetAsync(HttpContext context, string name, string? versionId)
    {
        SecretVersion? version;
        lock (Sync)
        {
            version = _secrets.TryGetValue(name, out var versions)
                ? versionId is null ? versions[^1] : versions.Find(v => string.Equals(v.Version, versionId, StringComparison.OrdinalIgnoreCase))
                : null;
        }

        if (version is null)
        {
            await WriteErrorAsync(context, 404, "SecretNotFound", $"A secret with (name/id) {name}{(versionId is null ? string.Empty : "/" + versionId)} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182").ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(context, 200, Bundle(version, includeValue: true)).ConfigureAwait(false);
    }

    private async Task ListAsync(HttpContext context, string? name)
    {
        var max = int.TryParse(context.Request.Query["maxresults"].ToString(), System.Globalization.CultureInfo.InvariantCulture, out var m) ? Math.Clamp(m, 1, 25) : 25;
        var skip = int.TryParse(context.Request.Query["$skiptoken"].ToString(), System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : 0;
        List<SecretVersion> items;
        lock (Sync)
        {
            if (name is not null && !_secrets.ContainsKey(name))
            {
                items = [];
            }
            else
            {
                items = name is null
                    ? [.. _secrets.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value[^1])]
                    : [.. _secrets[name]];
            }
        }

        var page = new JsonArray();
        foreach (var item in items.Skip(skip).Take(max))
        {
            var entry = Bundle(item, includeValue: false);
            if (name is null)
            {
                entry["id"] = new Uri(BaseAddress, "secrets/" + item.Name).ToString();
            }

            page.Add((JsonNode)entry);
        }

        string? next = null;
        if (skip + max < items.Count)
        {
            var builder = new UriBuilder(new Uri(BaseAddress, context.Request.Path.Value!.TrimStart('/'))) { Query = $"api-version={context.Request.Query["api-version"]}&maxresults={max}&$skiptoken={skip + max}" };
            next = builder.Uri.ToString();
        }

        await WriteJsonAsync(context, 200, new JsonObject { ["value"] = page, ["nextLink"] = next }).ConfigureAwait(false);
    }

    private JsonObject Bundle(SecretVersion version, bool includeValue)
    {
        var tags = new JsonObject();
        foreach (var (tagName, tagValue) in version.Tags)
        {
            tags[tagName] = tagValue;
        }

        var bundle = new JsonObject
        {
            ["id"] = new Uri(BaseAddress, $"secrets/{version.Name}/{version.Version}").ToString(),
            ["attributes"] = new JsonObject
            {
                ["enabled"] = true,
                ["created"] = version.Created,
                ["updated"] = version.Created,
                ["recoveryLevel"] = "Recoverable+Purgeable",
                ["recoverableDays"] = 90,
            },
            ["tags"] = tags,
        };
        if (version.ContentType is not null)
        {
            bundle["contentType"] = version.ContentType;
        }

        if (includeValue)
        {
            bundle["value"] = version.Value;
        }

        return bundle;
    }

    private SecretVersion AddVersion(string name, string value, string? contentType, IReadOnlyDictionary<string, string> tags)
    {
        if (!_secrets.TryGetValue(name, out var versions))
        {
            versions = [];
            _secrets[name] = versions;
        }

        var version = new SecretVersion(versions.Count == 0 ? name : versions[0].Name, NewId(), value, contentType, new Dictionary<string, string>(tags, StringComparer.Ordinal), Time.GetUtcNow().ToUnixTimeSeconds());
        versions.Add(version);
        return version;
    }

    private sealed record SecretVersion(string Name, string Version, string Value, string? ContentType, Dictionary<string, string> Tags, long Created);
}
