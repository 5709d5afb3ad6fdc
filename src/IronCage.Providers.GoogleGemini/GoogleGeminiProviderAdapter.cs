using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Google.Apis.Auth.OAuth2;
using IronCage.Providers.Http;
using IronCage.Verification;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Providers.GoogleGemini;

/// <summary>
/// Manages Gemini API keys through the Google API Keys API v2: creates a key (a long-running operation) with the
/// restrictions of the managed key's previous key, reads its string, lists, soft-deletes as revocation and undeletes
/// as rollback (within 30 days). Verifies a key with the Gemini models list and <c>x-goog-api-key</c>.
/// </summary>
internal sealed class GoogleGeminiProviderAdapter : ProviderAdapter
{
    private readonly ProviderConnections<GoogleGeminiProviderOptions> _connections;
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly IProviderCatalog _catalog;
    private readonly ICatalogKeyVerifier _verifier;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, GoogleApiKeysClient> _clients = new(StringComparer.Ordinal);

    public GoogleGeminiProviderAdapter(ProviderConnections<GoogleGeminiProviderOptions> connections, IHttpClientFactory httpClientFactory, IProviderCatalog catalog, ICatalogKeyVerifier verifier, TimeProvider time, ILogger<GoogleGeminiProviderAdapter> logger)
    {
        _connections = connections;
        _httpClientFactory = httpClientFactory;
        _catalog = catalog;
        _verifier = verifier;
        _time = time;
        _logger = logger;
    }

    public override ProviderId Provider => ProviderId.GoogleGemini;

    public override ProviderCapabilities Capabilities
        => ProviderCapabilities.Create | ProviderCapabilities.List | ProviderCapabilities.Read | ProviderCapabilities.Delete | ProviderCapabilities.Undelete | ProviderCapabilities.Verify;

    public override async Task<CreatedProviderKey> CreateKeyAsync(CreateProviderKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = request.Context;
        var (client, project, options) = Resolve(context);
        var template = await FindTemplateAsync(client, context, project, cancellationToken).ConfigureAwait(false);
        var keyId = KeyIdFor(request.Name);
        var annotations = new JsonObject();
        foreach (var (name, value) in template?.Annotations ?? new Dictionary<string, string>())
        {
            annotations[name] = value;
        }

        annotations[GoogleGeminiConstants.ManagedKeyAnnotation] = context.Key.ToString();
        var body = new JsonObject
        {
            ["displayName"] = request.Name.Length <= GoogleGeminiConstants.MaxDisplayNameLength ? request.Name : request.Name[..GoogleGeminiConstants.MaxDisplayNameLength],
            ["annotations"] = annotations,
            ["restrictions"] = template?.Restrictions?.DeepClone() ?? DefaultRestrictions(options),
        };

        GoogleKey? created = null;
        try
        {
            created = await client.CreateKeyAsync(project, keyId, body, cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderRequestException ex) when (ex.Kind == ProviderErrorKind.Conflict)
        {
            // The key id is derived from the attempt's unique name: a key that already exists under it is this attempt's,
            // created by an earlier call whose answer was lost.
            created = await client.GetKeyAsync($"{GoogleApiKeysClient.Parent(project)}/keys/{keyId}", cancellationToken).ConfigureAwait(false);
            if (created is null)
            {
                throw;
            }

            if (created.IsDeleted)
            {
                // The rotation engine swept that lost key away (soft delete) before retrying, and Google keeps a deleted
                // key's id through its undelete window: this attempt's key takes a fresh id. The display name, which the
                // sweep matches, stays the attempt's.
                var retryId = RetryKeyIdFor(keyId);
                Log.KeyIdHeldByDeletedKey(_logger, keyId, retryId, project);
                created = await client.CreateKeyAsync(project, retryId, body, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                Log.KeyAlreadyCreated(_logger, keyId, project);
            }
        }

        var secret = await client.GetKeyStringAsync(created.Name, cancellationToken).ConfigureAwait(false);
        Log.KeyCreated(_logger, created.KeyId, created.DisplayName ?? keyId, project, context.Key, secret.DisplayHint, template?.KeyId ?? "the connection's defaults");
        return new CreatedProviderKey(created.KeyId, secret)
        {
            Name = created.DisplayName,
            Metadata = Metadata(created),
        };
    }

    public override async IAsyncEnumerable<ProviderKeyInfo> ListKeysAsync(ProviderKeyContext context, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (client, project, _) = Resolve(context);
        await foreach (var key in client.ListKeysAsync(project, showDeleted: false, cancellationToken).ConfigureAwait(false))
        {
            yield return Describe(key);
        }
    }

    public override async Task<ProviderKeyInfo?> GetKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerKeyId);
        var (client, project, _) = Resolve(context);
        var key = await client.GetKeyAsync(NameOf(project, providerKeyId), cancellationToken).ConfigureAwait(false);
        return key is null ? null : Describe(key);
    }

    public override async Task DeleteKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerKeyId);
        var (client, project, _) = Resolve(context);

        // Read first: the delete carries the key's etag, so a key changed meanwhile is not deleted blindly, and a key
        // already deleted (or purged) needs no call.
        var key = await client.GetKeyAsync(NameOf(project, providerKeyId), cancellationToken).ConfigureAwait(false);
        if (key is null || key.IsDeleted)
        {
            return;
        }

        try
        {
            await client.DeleteKeyAsync(key, cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderRequestException ex) when (ex.Kind == ProviderErrorKind.NotFound)
        {
            return;
        }
        catch (ProviderRequestException ex) when (ex.Kind == ProviderErrorKind.BadRequest || ex.Kind == ProviderErrorKind.Conflict)
        {
            // A delete retried after its answer was lost is refused (already deleted, etag changed) although the first
            // attempt went through: deleted is what the caller wanted. A key changed by someone else is still refused.
            if (await client.GetKeyAsync(key.Name, cancellationToken).ConfigureAwait(false) is { IsDeleted: false })
            {
                throw;
            }
        }

        Log.KeyDeleted(_logger, key.KeyId, project, context.Key);
    }

    public override async Task UndeleteKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerKeyId);
        var (client, project, _) = Resolve(context);
        var name = NameOf(project, providerKeyId);
        try
        {
            await client.UndeleteKeyAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (ProviderRequestException ex) when (ex.Kind == ProviderErrorKind.BadRequest || ex.Kind == ProviderErrorKind.Conflict)
        {
            // An undelete retried after its answer was lost is refused (the key is no longer deleted) although the first
            // attempt went through. Reporting a failure then would leave a live key that IronCage believes revoked.
            if (await client.GetKeyAsync(name, cancellationToken).ConfigureAwait(false) is not { IsDeleted: false })
            {
                throw;
            }
        }
        Log.KeyUndeleted(_logger, name[(name.LastIndexOf('/') + 1)..], project, context.Key);
    }

    public override Task<KeyVerificationResult> VerifyAsync(ProviderKeyContext context, SecretValue key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(key);
        return _verifier.VerifyAsync(ProviderId.GoogleGemini, key, new KeyVerificationOptions { Kind = context.Kind }, cancellationToken);
    }

    /// <summary>Turns IronCage's key name into an API Keys key id: <c>[a-z]([a-z0-9-]{0,61}[a-z0-9])?</c>.</summary>
    internal static string KeyIdFor(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            builder.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') ? c : '-');
        }

        var id = builder.ToString();
        if (id.Length == 0 || id[0] is < 'a' or > 'z')
        {
            id = "k-" + id;
        }

        if (id.Length > 63)
        {
            id = id[..63];
        }

        return id.TrimEnd('-');
    }

    /// <summary>A fresh key id for an attempt whose own id is held by a deleted key: the id with a random suffix, still a valid key id.</summary>
    internal static string RetryKeyIdFor(string keyId)
    {
        var suffix = Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
        var stem = keyId.Length > 63 - suffix.Length - 1 ? keyId[..(63 - suffix.Length - 1)] : keyId;
        return $"{stem.TrimEnd('-')}-{suffix}";
    }

    private static JsonObject DefaultRestrictions(GoogleGeminiProviderOptions options)
    {
        var targets = new JsonArray();
        foreach (var service in options.DefaultApiTargets)
        {
            targets.Add((JsonNode)new JsonObject { ["service"] = service });
        }

        return new JsonObject { ["apiTargets"] = targets };
    }

    private static string NameOf(string project, string providerKeyId)
        => providerKeyId.StartsWith("projects/", StringComparison.Ordinal) ? providerKeyId : $"{GoogleApiKeysClient.Parent(project)}/keys/{providerKeyId}";

    private static ProviderKeyInfo Describe(GoogleKey key) => new()
    {
        ProviderKeyId = key.KeyId,
        Name = key.DisplayName,
        Status = key.IsDeleted ? ProviderKeyStatus.Deleted : ProviderKeyStatus.Active,
        CreatedAt = key.CreateTime is { } created ? Instant.FromDateTimeOffset(created) : null,
        Metadata = Metadata(key),
    };

    private static Dictionary<string, string> Metadata(GoogleKey key)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["name"] = key.Name };
        if (key.Uid is { } uid)
        {
            metadata["uid"] = uid;
        }

        if (key.Annotations.TryGetValue(GoogleGeminiConstants.ManagedKeyAnnotation, out var managed))
        {
            metadata[GoogleGeminiConstants.ManagedKeyAnnotation] = managed;
        }

        return metadata;
    }

    // The key whose restrictions and annotations a new key copies: the newest live key IronCage created for the same
    // managed key, else the key the managed key's scope names (the one registered before IronCage rotated it).
    private static async Task<GoogleKey?> FindTemplateAsync(GoogleApiKeysClient client, ProviderKeyContext context, string project, CancellationToken cancellationToken)
    {
        var reference = context.Key.ToString();
        GoogleKey? newest = null;
        await foreach (var key in client.ListKeysAsync(project, showDeleted: false, cancellationToken).ConfigureAwait(false))
        {
            if (!key.IsDeleted && key.Annotations.TryGetValue(GoogleGeminiConstants.ManagedKeyAnnotation, out var owner) && owner == reference
                && (newest is null || (key.CreateTime ?? DateTimeOffset.MinValue) > (newest.CreateTime ?? DateTimeOffset.MinValue)))
            {
                newest = key;
            }
        }

        if (newest is not null)
        {
            return newest;
        }

        return context.Scope.TryGetValue(GoogleGeminiConstants.TemplateKeyScopeKey, out var templateId) && !string.IsNullOrWhiteSpace(templateId)
            ? await client.GetKeyAsync(NameOf(project, templateId), cancellationToken).ConfigureAwait(false)
            : null;
    }

    private (GoogleApiKeysClient Client, string Project, GoogleGeminiProviderOptions Options) Resolve(ProviderKeyContext context)
    {
        var (name, options) = _connections.Select(context);
        var project = context.Scope.TryGetValue(GoogleGeminiConstants.ProjectScopeKey, out var scoped) && !string.IsNullOrWhiteSpace(scoped) ? scoped
            : !string.IsNullOrWhiteSpace(options.Project) ? options.Project
            : throw new IronCageException($"Managed key '{context.Key}' has no '{GoogleGeminiConstants.ProjectScopeKey}' scope entry and its Google Gemini connection no Project. Register the key with the project (number or id) that holds its API key, or set Project on AddGoogleGemini(name, o => …).");
        var client = _clients.GetOrAdd(name, _ => new GoogleApiKeysClient(
            _httpClientFactory.CreateClient(GoogleGeminiConstants.HttpClientName),
            new ProviderHttpCalls(_catalog.GetDescriptor(ProviderId.GoogleGemini), name, options, _time),
            CreateCredential(options),
            options,
            _logger));
        return (client, project, options);
    }

    private static GoogleCredential CreateCredential(GoogleGeminiProviderOptions options)
    {
        GoogleCredential credential;
        if (options.Credential is { } given)
        {
            credential = given;
        }
        else if (!string.IsNullOrWhiteSpace(options.AccessToken))
        {
            return GoogleCredential.FromAccessToken(options.AccessToken);
        }
        else if (!string.IsNullOrWhiteSpace(options.ServiceAccountJson))
        {
            credential = CredentialFactory.FromJson<ServiceAccountCredential>(options.ServiceAccountJson).ToGoogleCredential();
        }
        else if (!string.IsNullOrWhiteSpace(options.ServiceAccountFile))
        {
            credential = CredentialFactory.FromFile<ServiceAccountCredential>(options.ServiceAccountFile).ToGoogleCredential();
        }
        else
        {
            credential = GoogleCredential.GetApplicationDefault();
        }

        return credential.CreateScoped(GoogleGeminiConstants.CloudPlatformScope);
    }
}
