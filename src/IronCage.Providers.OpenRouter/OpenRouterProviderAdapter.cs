using IronCage.Providers.Http;
using IronCage.Providers.OpenRouter.Internal;
using IronCage.Verification;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace IronCage.Providers.OpenRouter;

/// <summary>
/// OpenRouter's key management as its API allows it (PROVIDERS.md §6), with a management key: keys are created with the
/// managed key's spend limit (<c>limit</c>, <c>limit_reset</c>) and expiry (<c>expires_at</c>), listed, read, disabled and
/// deleted, and their spend (<c>usage</c>, <c>usage_daily</c>, <c>usage_weekly</c>, <c>usage_monthly</c>) is reported to
/// usage tracking. Verified with <c>GET /key</c>.
/// </summary>
internal sealed class OpenRouterProviderAdapter : ProviderAdapter, IProviderUsageReporter
{
    private const string ManagementKeyOption = nameof(OpenRouterProviderOptions) + "." + nameof(OpenRouterProviderOptions.ManagementKey);
    private readonly ProviderConnections<OpenRouterProviderOptions> _connections;
    private readonly Lazy<OpenRouterClient> _client;
    private readonly IClock _clock;
    private readonly ILogger<OpenRouterProviderAdapter> _logger;

    public OpenRouterProviderAdapter(IHttpClientFactory httpClientFactory, ProviderConnections<OpenRouterProviderOptions> connections, IProviderCatalog catalog, IClock clock, TimeProvider time, ILogger<OpenRouterProviderAdapter> logger)
    {
        _connections = connections;
        _clock = clock;
        _logger = logger;
        // The descriptor is the host catalog's (its auth and error rules), read when first needed.
        _client = new(() => new OpenRouterClient(new ProviderHttp(httpClientFactory, OpenRouterConstants.HttpClientName, catalog.GetDescriptor(ProviderId.OpenRouter), clock, time)));
    }

    public override ProviderId Provider => ProviderId.OpenRouter;

    public override ProviderCapabilities Capabilities
        => ProviderCapabilities.Create | ProviderCapabilities.List | ProviderCapabilities.Read | ProviderCapabilities.Deactivate | ProviderCapabilities.Delete
            | ProviderCapabilities.Expiry | ProviderCapabilities.Verify | ProviderCapabilities.ReportsUsage;

    public override async Task<CreatedProviderKey> CreateKeyAsync(CreateProviderKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = request.Context;
        var endpoint = Endpoint(context);
        var (limit, reset) = SpendLimit(request.Limits);
        var spec = new OpenRouterKeySpec(request.Name, limit, reset, request.ExpiresAt, ScopeValue(context, OpenRouterConstants.WorkspaceIdScopeKey), ScopeValue(context, OpenRouterConstants.CreatorUserIdScopeKey));
        // Sent once: after an unclear failure the rotation engine finds a key the provider did create by its name.
        var created = await _client.Value.CreateAsync(endpoint, spec, cancellationToken).ConfigureAwait(false);
        Log.KeyCreated(_logger, created.ProviderKeyId, created.Secret.DisplayHint, context.Key, endpoint.Connection);
        return created;
    }

    public override IAsyncEnumerable<ProviderKeyInfo> ListKeysAsync(ProviderKeyContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _client.Value.ListAsync(Endpoint(context), ScopeValue(context, OpenRouterConstants.WorkspaceIdScopeKey), cancellationToken);
    }

    public override async Task<ProviderKeyInfo?> GetKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerKeyId);
        return await _client.Value.GetAsync(Endpoint(context), providerKeyId, cancellationToken).ConfigureAwait(false) is { } key ? _client.Value.Map(key) : null;
    }

    public override Task<KeyVerificationResult> VerifyAsync(ProviderKeyContext context, SecretValue key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(key);
        return _client.Value.VerifyAsync(Endpoint(context), key, context.Kind, cancellationToken);
    }

    public override async Task DeactivateKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerKeyId);
        var endpoint = Endpoint(context);
        await _client.Value.DisableAsync(endpoint, providerKeyId, cancellationToken).ConfigureAwait(false);
        Log.KeyDisabled(_logger, providerKeyId, context.Key, endpoint.Connection);
    }

    public override async Task DeleteKeyAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerKeyId);
        var endpoint = Endpoint(context);
        if (await _client.Value.DeleteAsync(endpoint, providerKeyId, cancellationToken).ConfigureAwait(false))
        {
            Log.KeyDeleted(_logger, providerKeyId, context.Key, endpoint.Connection);
        }
    }

    public async Task<ProviderReportedUsage?> GetReportedUsageAsync(ProviderKeyContext context, string providerKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(providerKeyId);
        if (await _client.Value.GetAsync(Endpoint(context), providerKeyId, cancellationToken).ConfigureAwait(false) is not { } key)
        {
            return null;
        }

        return new ProviderReportedUsage
        {
            ObservedAt = _clock.GetCurrentInstant(),
            Total = key.GetDecimalOrNull("usage"),
            Daily = key.GetDecimalOrNull("usage_daily"),
            Weekly = key.GetDecimalOrNull("usage_weekly"),
            Monthly = key.GetDecimalOrNull("usage_monthly"),
            Limit = key.GetDecimalOrNull("limit"),
            LimitRemaining = key.GetDecimalOrNull("limit_remaining"),
        };
    }

    /// <summary>
    /// The one spend limit OpenRouter can hold, from the managed key's hard cost limits: the monthly one if set (the
    /// budget), otherwise the daily one. Other windows and soft limits stay with IronCage's own tracking.
    /// </summary>
    internal static (decimal? Limit, string? Reset) SpendLimit(UsageLimits? limits)
    {
        var costs = limits?.Limits.Where(l => l.Metric == UsageMetric.Cost && l.Enforcement == LimitEnforcement.Hard).ToList() ?? [];
        return costs.Find(l => l.Window == UsageWindow.Month) is { } monthly ? (monthly.Limit, "monthly")
            : costs.Find(l => l.Window == UsageWindow.Day) is { } daily ? (daily.Limit, "daily")
            : (null, null);
    }

    private static string? ScopeValue(ProviderKeyContext context, string key)
        => context.Scope.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    private ProviderEndpoint Endpoint(ProviderKeyContext context)
    {
        var (name, options) = _connections.Select(context);
        return new ProviderEndpoint(name, options, options.ManagementKey ?? string.Empty, ManagementKeyOption);
    }
}
