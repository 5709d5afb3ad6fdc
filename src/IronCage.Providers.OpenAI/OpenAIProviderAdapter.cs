using System.Runtime.CompilerServices;
using IronCage.Providers.Http;
using IronCage.Providers.OpenAI.Internal;
using IronCage.Verification;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Providers.OpenAI;

/// <summary>
/// OpenAI's key management as its API allows it (PROVIDERS.md §1). <see cref="KeyKind.Admin"/> keys are created (with
/// <c>expires_in_seconds</c> when the policy sets a lifetime), listed, read and deleted. <see cref="KeyKind.Inference"/>
/// keys live in the project of the <see cref="OpenAIConstants.ProjectIdScopeKey"/> scope entry: they are minted by creating
/// a project service account (or, with <see cref="OpenAIConstants.ServiceAccountIdScopeKey"/>, an additional key of one),
/// listed, read, and deleted; a key a service account owns is revoked by deleting the account.
/// </summary>
internal sealed class OpenAIProviderAdapter : ProviderAdapter
{
    private const string AdminKeyOption = nameof(OpenAIProviderOptions) + "." + nameof(OpenAIProviderOptions.AdminKey);
    private readonly ProviderConnections<OpenAIProviderOptions> _connections;
    private readonly Lazy<ProviderHttp> _http;
    private readonly Lazy<OpenAIClient> _client;
    private readonly ILogger<OpenAIProviderAdapter> _logger;

    public OpenAIProviderAdapter(IHttpClientFactory httpClientFactory, ProviderConnections<OpenAIProviderOptions> connections, IProviderCatalog catalog, IClock clock, TimeProvider time, ILogger<OpenAIProviderAdapter> logger)
    {
        _connections = connections;
        _logger = logger;
        // The descriptor is the host catalog's (its console address, auth and error rules), read when first needed.
        _http = new(() => new ProviderHttp(httpClientFactory, OpenAIConstants.HttpClientName, catalog.GetDescriptor(ProviderId.OpenAI), clock, time));
        _client = new(() => new OpenAIClient(_http.Value));
    }

    public override ProviderId Provider => ProviderId.OpenAI;

    public override ProviderCapabilities Capabilities
        => ProviderCapabilities.Create | ProviderCapabilities.List | ProviderCapabilities.Read | ProviderCapabilities.Delete | ProviderCapabilities.Expiry | ProviderCapabilities.Verify;

    public override async Task<CreatedProviderKey> CreateKeyAsync(CreateProviderKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = request.Context;
        var endpoint = Endpoint(context);
        // Sent once: after an unclear failure the rotation engine finds a key (or service account) the provider did
        // create by its name, and removes it before it creates again.
        var created = await CreateAsync(endpoint, request, cancellationToken).ConfigureAwait(false);
        Log.KeyCreated(_logger, context.Kind, created.ProviderKeyId, created.Secret.DisplayHint, context.Key, endpoint.Connection);
        return created;
    }

    public override IAsyncEnumerable<ProviderKeyInfo> ListKeysAsync(ProviderKeyContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var endpoint = Endpoint(context);
        return context.Kind == KeyKind.Admin
            ? _client.Value.ListAdminKeysAsync(endpoint, cancellationToken)
            : _client.Value.ListProjectKeysAsync(endpoint, ProjectId(context), cancellationToken);
    }

    public override Task<ProviderKeyInfo?> GetKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerKeyId);
        var endpoint = Endpoint(context);
        return context.Kind == KeyKind.Admin
            ? _client.Value.GetAdminKeyAsync(endpoint, providerKeyId, cancellationToken)
            : _client.Value.GetProjectKeyAsync(endpoint, ProjectId(context), providerKeyId, cancellationToken);
    }

    public override Task<KeyVerificationResult> VerifyAsync(ProviderKeyContext context, SecretValue key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(key);
        return _client.Value.VerifyAsync(Endpoint(context), key, context.Kind, cancellationToken);
    }

    public override async Task DeleteKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerKeyId);
        var endpoint = Endpoint(context);
        if (context.Kind == KeyKind.Admin)
        {
            if (await _client.Value.DeleteAdminKeyAsync(endpoint, providerKeyId, cancellationToken).ConfigureAwait(false))
            {
                Log.KeyDeleted(_logger, context.Kind, providerKeyId, context.Key, endpoint.Connection);
            }

            return;
        }

        var projectId = ProjectId(context);
        try
        {
            if (await _client.Value.DeleteProjectKeyAsync(endpoint, projectId, providerKeyId, cancellationToken).ConfigureAwait(false))
            {
                Log.KeyDeleted(_logger, context.Kind, providerKeyId, context.Key, endpoint.Connection);
            }
        }
        catch (ProviderRequestException ex) when (ex.StatusCode == 400)
        {
            // OpenAI refuses to delete a key a service account owns: the account is what must go.
            var key = await _client.Value.GetProjectKeyAsync(endpoint, projectId, providerKeyId, cancellationToken).ConfigureAwait(false);
            if (key is null)
            {
                return;
            }

            if (!key.Metadata.TryGetValue(OpenAIConstants.ServiceAccountIdMetadataKey, out var serviceAccountId))
            {
                throw;
            }

            if (context.Scope.TryGetValue(OpenAIConstants.ServiceAccountIdScopeKey, out var shared) && string.Equals(shared, serviceAccountId, StringComparison.Ordinal))
            {
                throw new IronCageException($"OpenAI key {providerKeyId} of '{context.Key}' belongs to service account {serviceAccountId}, which also holds the key's newer versions ('{OpenAIConstants.ServiceAccountIdScopeKey}' scope entry). OpenAI cannot delete one key of a service account by API: revoke it in the console ({_http.Value.Descriptor.ConsoleUrl}), or drop the scope entry so each key gets its own service account.", ex);
            }

            await _client.Value.DeleteServiceAccountAsync(endpoint, projectId, serviceAccountId, cancellationToken).ConfigureAwait(false);
            Log.ServiceAccountDeleted(_logger, providerKeyId, context.Key, serviceAccountId);
        }
    }

    private Task<CreatedProviderKey> CreateAsync(ProviderEndpoint endpoint, CreateProviderKeyRequest request, CancellationToken cancellationToken)
    {
        var context = request.Context;
        if (context.Kind == KeyKind.Admin)
        {
            long? expiresIn = null;
            if (request.ExpiresAt is { } expiresAt)
            {
                expiresIn = OpenAIClient.ExpiresInSeconds(_http.Value.Clock.GetCurrentInstant(), expiresAt);
                if (expiresIn > OpenAIConstants.MaxAdminKeyExpirySeconds)
                {
                    expiresIn = OpenAIConstants.MaxAdminKeyExpirySeconds;
                    Log.ExpiryShortened(_logger, context.Key, OpenAIConstants.MaxAdminKeyExpirySeconds);
                }
            }

            return _client.Value.CreateAdminKeyAsync(endpoint, request.Name, expiresIn, cancellationToken);
        }

        var projectId = ProjectId(context);
        if (context.Scope.TryGetValue(OpenAIConstants.ServiceAccountIdScopeKey, out var serviceAccountId) && !string.IsNullOrWhiteSpace(serviceAccountId))
        {
            var scopes = context.Scope.TryGetValue(OpenAIConstants.KeyScopesScopeKey, out var list)
                ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [];
            return _client.Value.CreateServiceAccountKeyAsync(endpoint, projectId, serviceAccountId, request.Name, scopes, cancellationToken);
        }

        return _client.Value.CreateServiceAccountAsync(endpoint, projectId, request.Name, cancellationToken);
    }

    private static string ProjectId(ProviderKeyContext context)
        => context.Scope.TryGetValue(OpenAIConstants.ProjectIdScopeKey, out var projectId) && !string.IsNullOrWhiteSpace(projectId)
            ? projectId
            : throw new IronCageException($"Managed key '{context.Key}' is an OpenAI project key but has no '{OpenAIConstants.ProjectIdScopeKey}' scope entry. Set it to the project's id (proj_…, from the project settings page), or register the key with Kind = KeyKind.Admin if it is an admin key.");

    private ProviderEndpoint Endpoint(ProviderKeyContext context)
    {
        var (name, options) = _connections.Select(context);
        return new ProviderEndpoint(name, options, options.AdminKey ?? string.Empty, AdminKeyOption);
    }
}
