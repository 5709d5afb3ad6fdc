using IronCage.Rotation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronCage.Secrets.CloudflareAiGateway;

/// <summary>
/// Keeps an AI Gateway bring-your-own-key provider key current: the key lives in Cloudflare Secrets Store, scope
/// <c>ai_gateway</c>, named <c>{gatewayId}_{providerSlug}_{alias}</c>, and each rotated key updates it in place
/// (created on first use). Secrets Store values are write-only, so the secret's comment records the IronCage key and
/// version; a secret whose comment already names the version is not written again.
/// </summary>
/// <remarks>The API token needs <c>Secrets Store Write</c> (which includes read) on the account.</remarks>
public sealed class CloudflareAiGatewayTarget : IKeyDistributionTarget
{
    private readonly SecretsStoreClient _client;
    private readonly CloudflareAiGatewayTargetOptions _options;
    private readonly KeyReference _key;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The account, token, gateway, provider slug and alias; validated here.</param>
    /// <param name="httpClient">The HTTP client, or <see langword="null"/> for a new one.</param>
    /// <param name="logger">The logger, if any.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public CloudflareAiGatewayTarget(CloudflareAiGatewayTargetOptions options, HttpClient? httpClient = null, ILogger<CloudflareAiGatewayTarget>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        CloudflareAiGatewayTargetOptionsValidator.ThrowIfInvalid(options);
        _options = options;
        _key = KeyReference.Parse(options.Key);
        _client = new SecretsStoreClient(httpClient ?? new HttpClient(), options);
        _logger = logger ?? (ILogger)NullLogger.Instance;
        SecretName = $"{options.GatewayId}_{options.ProviderSlug ?? _key.Provider.ToString()}_{options.Alias}";
        Name = $"cloudflare-ai-gateway:{options.AccountId}/{SecretName}";
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>Gets the Secrets Store secret's name, <c>{gatewayId}_{providerSlug}_{alias}</c>.</summary>
    public string SecretName { get; }

    /// <inheritdoc />
    public bool AppliesTo(ManagedKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Reference == _key;
    }

    /// <inheritdoc />
    /// <exception cref="SecretStoreException">Cloudflare refused the call (the message says which permission to grant).</exception>
    public Task<KeyDistributionReceipt> DistributeAsync(KeyDistribution distribution, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return WriteAsync(distribution, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="SecretStoreException">Cloudflare refused the call (the message says which permission to grant).</exception>
    public Task RestoreAsync(KeyDistribution previous, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(previous);
        return WriteAsync(previous, cancellationToken);
    }

    /// <summary>Returns the target's name.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    private async Task<KeyDistributionReceipt> WriteAsync(KeyDistribution distribution, CancellationToken cancellationToken)
    {
        var keyName = distribution.Key.Reference.ToString();
        var versionId = distribution.Version.VersionId;
        var comment = $"IronCage {keyName} {versionId}";
        var existing = await _client.FindAsync(SecretName, cancellationToken).ConfigureAwait(false);
        if (existing is not null && string.Equals(existing.Comment, comment, StringComparison.Ordinal) && existing.Scopes.Contains(CloudflareAiGatewayConstants.Scope, StringComparer.Ordinal))
        {
            Log.AlreadyCurrent(_logger, SecretName, keyName, versionId);
            return new KeyDistributionReceipt { TargetVersion = existing.Id, AlreadyCurrent = true };
        }

        var written = existing is null
            ? await _client.CreateAsync(SecretName, distribution.Secret.Reveal(), comment, cancellationToken).ConfigureAwait(false)
            : await _client.PatchAsync(existing, distribution.Secret.Reveal(), comment, cancellationToken).ConfigureAwait(false);
        Log.Written(_logger, keyName, versionId, distribution.Version.DisplayHint, SecretName, written.Id, existing is null ? "created" : "updated in place");
        return new KeyDistributionReceipt { TargetVersion = written.Id };
    }
}
