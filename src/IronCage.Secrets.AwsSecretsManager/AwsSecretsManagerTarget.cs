using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IronCage.Rotation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronCage.Secrets.AwsSecretsManager;

/// <summary>
/// Writes each rotated key of one managed key to one Secrets Manager secret with <c>PutSecretValue</c>: the new version
/// becomes <c>AWSCURRENT</c> and the service moves <c>AWSPREVIOUS</c> to the version it replaced. With
/// <see cref="AwsSecretsManagerTargetOptions.Field"/> only that field of a JSON-map secret changes; the others are kept.
/// </summary>
/// <remarks>
/// Idempotent by the service's own rule: the <c>ClientRequestToken</c> (the new version's id) is derived from the
/// rotation operation and the IronCage version, so a resumed rotation that calls again finds its version current (or
/// the service ignores the repeated token) and writes nothing. The principal needs <c>secretsmanager:GetSecretValue</c>
/// and <c>secretsmanager:PutSecretValue</c> on the secret (and the KMS key's <c>kms:Decrypt</c>/<c>kms:GenerateDataKey</c>
/// when it is a customer managed key).
/// </remarks>
public sealed class AwsSecretsManagerTarget : IKeyDistributionTarget
{
    private readonly SecretsManagerClient _client;
    private readonly AwsSecretsManagerTargetOptions _options;
    private readonly KeyReference _key;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">The region, credentials and secret; validated here.</param>
    /// <param name="httpClient">The HTTP client, or <see langword="null"/> for a new one.</param>
    /// <param name="time">The time requests are signed with; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="logger">The logger, if any.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid.</exception>
    public AwsSecretsManagerTarget(AwsSecretsManagerTargetOptions options, HttpClient? httpClient = null, TimeProvider? time = null, ILogger<AwsSecretsManagerTarget>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        AwsSecretsManagerOptionsValidator.ThrowIfInvalid(options);
        _options = options;
        _key = KeyReference.Parse(options.Key);
        _client = new SecretsManagerClient(httpClient ?? new HttpClient(), options, time ?? TimeProvider.System);
        _logger = logger ?? (ILogger)NullLogger.Instance;
        Name = $"aws-secrets-manager:{options.Region}/{options.SecretId}" + (options.Field is null ? string.Empty : "#" + options.Field);
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
    /// <exception cref="SecretStoreException">The service refused the call (the message says which permission to grant).</exception>
    public Task<KeyDistributionReceipt> DistributeAsync(KeyDistribution distribution, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        return WriteAsync(distribution, "distribute", cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="SecretStoreException">The service refused the call (the message says which permission to grant).</exception>
    public Task RestoreAsync(KeyDistribution previous, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(previous);
        return WriteAsync(previous, "restore", cancellationToken);
    }

    /// <summary>Returns the target's name.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => Name;

    // A UUID-shaped token (the form the service documents) from the purpose, operation and version: the same call on
    // any instance, after any crash, sends the same token.
    internal static string Token(string purpose, string operationId, string versionId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"ironcage:{purpose}:{operationId}:{versionId}"));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }

    private async Task<KeyDistributionReceipt> WriteAsync(KeyDistribution distribution, string purpose, CancellationToken cancellationToken)
    {
        var keyName = distribution.Key.Reference.ToString();
        var versionId = distribution.Version.VersionId;
        var token = Token(purpose, distribution.OperationId, versionId);
        var current = await _client.GetSecretValueAsync(_options.SecretId, cancellationToken).ConfigureAwait(false)
            ?? throw new SecretStoreException(_client.Store, SecretStoreErrorKind.NotFound, $"{_client.Store}: secret {_options.SecretId} does not exist or has no AWSCURRENT version. The target never creates secrets: create it with aws secretsmanager create-secret --name {_options.SecretId} --secret-string '{{}}' and grant IronCage GetSecretValue and PutSecretValue on it.");
        if (string.Equals(current.VersionId, token, StringComparison.Ordinal) || Holds(current.SecretString, distribution.Secret))
        {
            Log.AlreadyCurrent(_logger, _options.SecretId, keyName, versionId, current.VersionId);
            return new KeyDistributionReceipt { TargetVersion = current.VersionId, AlreadyCurrent = true };
        }

        var written = await _client.PutSecretValueAsync(_options.SecretId, token, Compose(current.SecretString, distribution.Secret), cancellationToken).ConfigureAwait(false);
        if (purpose == "restore")
        {
            Log.Restored(_logger, keyName, versionId, _options.SecretId, written);
        }
        else
        {
            Log.Written(_logger, keyName, versionId, distribution.Version.DisplayHint, _options.SecretId, written);
        }

        return new KeyDistributionReceipt { TargetVersion = written };
    }

    private bool Holds(string current, SecretValue secret)
    {
        if (_options.Field is null)
        {
            return secret.Matches(current);
        }

        return Map(current)?[_options.Field] is JsonValue value && value.TryGetValue<string>(out var text) && secret.Matches(text);
    }

    private string Compose(string current, SecretValue secret)
    {
        if (_options.Field is null)
        {
            return secret.Reveal();
        }

        var map = Map(current) ?? (string.IsNullOrWhiteSpace(current) ? [] : throw new SecretStoreException(_client.Store, SecretStoreErrorKind.Unknown, $"{_client.Store}: secret {_options.SecretId} is not a JSON map, so field {_options.Field} cannot be set without losing its value. Store it as {{\"{_options.Field}\": \"…\"}} or leave Field unset to replace the whole secret string."));
        map[_options.Field] = secret.Reveal();
        return map.ToJsonString();
    }

    private static JsonObject? Map(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
