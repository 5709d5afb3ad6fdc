using System.Text.Json.Nodes;
using IronCage.Rotation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronCage.Secrets.HashiCorpVault;

/// <summary>
/// Writes each rotated key of one managed key to one field of a Vault KV version 2 secret, with check-and-set
/// (<c>options.cas</c> = the version read), so a concurrent writer is never overwritten: on a mismatch the secret is
/// read again and the write repeated. The other fields are kept. Idempotent: when the field already holds the value,
/// nothing is written and the receipt carries the current KV version.
/// </summary>
/// <remarks>
/// The token's policy needs <c>["read", "create", "update"]</c> on <c>{mount}/data/{path}</c>. Consumers that read the
/// secret without a version (Vault Agent, the CSI provider, External Secrets) see the new key on their next refresh.
/// </remarks>
public sealed class HashiCorpVaultTarget : IKeyDistributionTarget
{
    private const int MaxCasAttempts = 3;
    private readonly VaultClient _client;
    private readonly HashiCorpVaultTargetOptions _options;
    private readonly KeyReference _key;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The address, credentials, path and field; validated here.</param>
    /// <param name="httpClient">The HTTP client, or <see langword="null"/> for a new one.</param>
    /// <param name="logger">The logger, if any.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public HashiCorpVaultTarget(HashiCorpVaultTargetOptions options, HttpClient? httpClient = null, ILogger<HashiCorpVaultTarget>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        HashiCorpVaultOptionsValidator.ThrowIfInvalid(options);
        _options = options;
        _key = KeyReference.Parse(options.Key);
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _client = new VaultClient(httpClient ?? new HttpClient(), options, _logger);
        Name = $"vault:{options.Address!.Host}/{options.Mount}/{options.Path}#{options.Field}";
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
    /// <exception cref="SecretStoreException">Vault refused the call (the message says which capability to grant).</exception>
    public Task<KeyDistributionReceipt> DistributeAsync(KeyDistribution distribution, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return WriteAsync(distribution, cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="SecretStoreException">Vault refused the call (the message says which capability to grant).</exception>
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
        for (var attempt = 1; ; attempt++)
        {
            var current = await _client.ReadAsync(_options.Path, cancellationToken).ConfigureAwait(false);
            if (current?.Data[_options.Field] is JsonValue value && value.TryGetValue<string>(out var text) && distribution.Secret.Matches(text))
            {
                Log.AlreadyCurrent(_logger, _options.Path, _options.Field, keyName, versionId, current.Version);
                return new KeyDistributionReceipt { TargetVersion = current.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), AlreadyCurrent = true };
            }

            var data = current?.Data ?? [];
            data[_options.Field] = distribution.Secret.Reveal();
            var cas = current?.Version ?? 0;
            if (await _client.WriteAsync(_options.Path, data, cas, cancellationToken).ConfigureAwait(false) is { } written)
            {
                Log.Written(_logger, keyName, versionId, distribution.Version.DisplayHint, _options.Path, _options.Field, written);
                return new KeyDistributionReceipt { TargetVersion = written.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            }

            Log.CasConflict(_logger, _options.Path, cas);
            if (attempt == MaxCasAttempts)
            {
                throw new SecretStoreException(_client.Store, SecretStoreErrorKind.Conflict, $"{_client.Store}: {_options.Mount}/data/{_options.Path} changed {MaxCasAttempts} times while IronCage wrote it (check-and-set). Another writer is updating it; the rotation retries the step later.");
            }
        }
    }
}
