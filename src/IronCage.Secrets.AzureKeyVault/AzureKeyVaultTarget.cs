using Azure;
using Azure.Security.KeyVault.Secrets;
using IronCage.Rotation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronCage.Secrets.AzureKeyVault;

/// <summary>
/// Writes each rotated key of one managed key to one Key Vault secret as a new version, tagged with
/// <see cref="AzureKeyVaultConstants.KeyTag"/> and <see cref="AzureKeyVaultConstants.VersionTag"/>. Idempotent: when the
/// secret's current version already names the IronCage version, nothing is written and the receipt says
/// <see cref="KeyDistributionReceipt.AlreadyCurrent"/>. <see cref="RestoreAsync"/> writes the previous value as a new version.
/// </summary>
/// <remarks>
/// The identity needs <c>get</c> and <c>set</c> on secrets (the <c>Key Vault Secrets Officer</c> role scoped to the
/// secret, or an access policy with Get and Set). Key Vault keeps every version; the consumers that read the secret
/// without a version see the new key on their next read.
/// </remarks>
public sealed class AzureKeyVaultTarget : IKeyDistributionTarget
{
    private const string Permission = "Key Vault Secrets Officer";
    private readonly SecretClient _client;
    private readonly AzureKeyVaultTargetOptions _options;
    private readonly KeyReference _key;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The vault, secret and credential; validated here.</param>
    /// <param name="logger">The logger, if any.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public AzureKeyVaultTarget(AzureKeyVaultTargetOptions options, ILogger<AzureKeyVaultTarget>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        AzureKeyVaultTargetOptionsValidator.ThrowIfInvalid(options);
        _options = options;
        _key = KeyReference.Parse(options.Key);
        _client = new SecretClient(options.VaultUri!, options.Credential!, options.ClientOptions ?? new SecretClientOptions());
        _logger = logger ?? (ILogger)NullLogger.Instance;
        Name = $"azure-key-vault:{options.VaultUri!.Host}/{options.SecretName}";
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public bool AppliesTo(ManagedKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Reference == _key;
    }

    /// <inheritdoc />
    /// <exception cref="SecretStoreException">Key Vault refused the call (the message says which permission to grant).</exception>
    public Task<KeyDistributionReceipt> DistributeAsync(KeyDistribution distribution, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return WriteAsync(distribution, restore: false, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="SecretStoreException">Key Vault refused the call (the message says which permission to grant).</exception>
    public Task RestoreAsync(KeyDistribution previous, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(previous);
        return WriteAsync(previous, restore: true, cancellationToken);
    }

    /// <summary>Returns the target's name.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    private async Task<KeyDistributionReceipt> WriteAsync(KeyDistribution distribution, bool restore, CancellationToken cancellationToken)
    {
        var keyName = distribution.Key.Reference.ToString();
        var versionId = distribution.Version.VersionId;
        var current = await CurrentAsync(cancellationToken).ConfigureAwait(false);
        if (current is not null
            && current.Tags.TryGetValue(AzureKeyVaultConstants.VersionTag, out var tagged) && string.Equals(tagged, versionId, StringComparison.Ordinal)
            && current.Tags.TryGetValue(AzureKeyVaultConstants.KeyTag, out var taggedKey) && string.Equals(taggedKey, keyName, StringComparison.Ordinal))
        {
            Log.AlreadyCurrent(_logger, _options.SecretName, keyName, versionId, current.Version);
            return new KeyDistributionReceipt { TargetVersion = current.Version, AlreadyCurrent = true };
        }

        var secret = new KeyVaultSecret(_options.SecretName, distribution.Secret.Reveal());
        secret.Properties.ContentType = _options.ContentType;
        secret.Properties.Tags[AzureKeyVaultConstants.KeyTag] = keyName;
        secret.Properties.Tags[AzureKeyVaultConstants.VersionTag] = versionId;
        secret.Properties.Tags[AzureKeyVaultConstants.OperationTag] = distribution.OperationId;
        Response<KeyVaultSecret> written;
        try
        {
            written = await _client.SetSecretAsync(secret, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw KeyVaultErrors.From(exception, _options.VaultUri!, "set", _options.SecretName, Permission);
        }

        var secretVersion = written.Value.Properties.Version;
        if (restore)
        {
            Log.Restored(_logger, keyName, versionId, _options.SecretName, secretVersion);
        }
        else
        {
            Log.Written(_logger, keyName, versionId, distribution.Version.DisplayHint, _options.SecretName, secretVersion);
        }

        return new KeyDistributionReceipt { TargetVersion = secretVersion };
    }

    private async Task<SecretProperties?> CurrentAsync(CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.GetSecretAsync(_options.SecretName, cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.Value.Properties;
        }
        catch (RequestFailedException failed) when (failed.Status == 404)
        {
            return null;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            throw KeyVaultErrors.From(exception, _options.VaultUri!, "get", _options.SecretName, Permission);
        }
    }
}
