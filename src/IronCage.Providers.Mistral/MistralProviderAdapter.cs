using IronCage.Providers.Http;
using IronCage.Providers.Mistral.Internal;
using IronCage.Verification;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Providers.Mistral;

/// <summary>
/// Mistral's key management as its beta Admin API allows it (PROVIDERS.md §9), with an Admin API key: keys are created
/// with an expiry (<c>expiration</c>), a workspace and a user, and listed (<c>limit</c>/<c>offset</c>). No delete is
/// documented, so this adapter claims none: the old key is deleted by a person in the console. Keys are verified with
/// <c>GET /v1/models</c>, whose 401 <c>{"detail":"Unauthorized"}</c> is reported as ambiguous (an invalid key, or a
/// valid key whose quota is used up).
/// </summary>
internal sealed class MistralProviderAdapter : ProviderAdapter
{
    private const string AdminKeyOption = nameof(MistralProviderOptions) + "." + nameof(MistralProviderOptions.AdminKey);
    private readonly ProviderConnections<MistralProviderOptions> _connections;
    private readonly Lazy<MistralClient> _client;
    private readonly ILogger<MistralProviderAdapter> _logger;

    public MistralProviderAdapter(IHttpClientFactory httpClientFactory, ProviderConnections<MistralProviderOptions> connections, IProviderCatalog catalog, IClock clock, TimeProvider time, ILogger<MistralProviderAdapter> logger)
    {
        _connections = connections;
        _logger = logger;
        // The descriptor is the host catalog's (its auth and error rules), read when first needed.
        _client = new(() =>
        {
            var descriptor = catalog.GetDescriptor(ProviderId.Mistral);
            return new MistralClient(
                new ProviderHttp(httpClientFactory, MistralConstants.HttpClientName, AdminDescriptor(descriptor), clock, time),
                new ProviderHttp(httpClientFactory, MistralConstants.HttpClientName, descriptor, clock, time));
        });
    }

    public override ProviderId Provider => ProviderId.Mistral;

    public override ProviderCapabilities Capabilities
        => ProviderCapabilities.Create | ProviderCapabilities.List | ProviderCapabilities.Expiry | ProviderCapabilities.Verify;

    public override async Task<CreatedProviderKey> CreateKeyAsync(CreateProviderKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = request.Context;
        var endpoint = Endpoint(context);
        var spec = new MistralKeySpec(request.Name, request.ExpiresAt, ScopeValue(context, MistralConstants.WorkspaceIdScopeKey), ScopeValue(context, MistralConstants.UserIdScopeKey));
        // Sent once: after an unclear failure the rotation engine finds a key the provider did create by its name.
        var created = await _client.Value.CreateAsync(endpoint, spec, cancellationToken).ConfigureAwait(false);
        Log.KeyCreated(_logger, created.ProviderKeyId, created.Secret.DisplayHint, context.Key, endpoint.Connection);
        return created;
    }

    public override IAsyncEnumerable<ProviderKeyInfo> ListKeysAsync(ProviderKeyContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _client.Value.ListAsync(Endpoint(context), cancellationToken);
    }

    public override Task<KeyVerificationResult> VerifyAsync(ProviderKeyContext context, SecretValue key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(key);
        var endpoint = Endpoint(context);
        return _client.Value.VerifyAsync(endpoint, ((MistralProviderOptions)endpoint.Options).InferenceAddress, key, cancellationToken);
    }

    /// <summary>The catalog's descriptor with the Admin API's own auth: the admin key in <c>x-api-key</c>, as the Admin API guide gives it.</summary>
    internal static ProviderDescriptor AdminDescriptor(ProviderDescriptor descriptor) => new(descriptor.Id, descriptor.DisplayName)
    {
        Capabilities = descriptor.Capabilities,
        LimitedCapabilities = descriptor.LimitedCapabilities,
        CapabilityNotes = descriptor.CapabilityNotes,
        ConsoleUrl = descriptor.ConsoleUrl,
        ApiBaseUrl = MistralConstants.DefaultBaseAddress,
        EnvironmentVariables = descriptor.EnvironmentVariables,
        AdminEnvironmentVariables = descriptor.AdminEnvironmentVariables,
        KeyFormats = descriptor.KeyFormats,
        Auth = AuthScheme.Header(MistralConstants.AdminKeyHeader),
        ErrorRules = descriptor.ErrorRules,
        Notes = descriptor.Notes,
    };

    private static string? ScopeValue(ProviderKeyContext context, string key)
        => context.Scope.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    private ProviderEndpoint Endpoint(ProviderKeyContext context)
    {
        var (name, options) = _connections.Select(context);
        return new ProviderEndpoint(name, options, options.AdminKey ?? string.Empty, AdminKeyOption);
    }
}
