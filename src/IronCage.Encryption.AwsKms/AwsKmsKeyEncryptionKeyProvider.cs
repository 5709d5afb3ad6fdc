using System.Net;
using System.Security.Cryptography;
using Amazon;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace IronCage.Encryption.AwsKms;

/// <summary>
/// An <see cref="IKeyEncryptionKeyProvider"/> whose key-encryption key is an AWS KMS key: data keys are wrapped with
/// KMS <c>Encrypt</c> and unwrapped with <c>Decrypt</c> (naming the key), both with an encryption context that binds the
/// wrapped key to <see cref="AwsKmsOptions.StoreId"/> and its KEK id. Data keys wrapped by retired KMS keys or retired
/// local master keys still open, so a store can be re-wrapped onto this key. Unwrapped data keys are not cached (as
/// with the local master key): every open is one KMS call. Thread-safe.
/// </summary>
public sealed class AwsKmsKeyEncryptionKeyProvider : IKeyEncryptionKeyProvider, IDisposable
{
    private const int DataKeySize = 32;
    private readonly AwsKmsOptions _options;
    private readonly AmazonKeyManagementServiceClient _kms;
    private readonly Dictionary<string, string> _kmsKeys = new(StringComparer.Ordinal);
    private readonly LocalMasterKeyProvider? _retiredLocal;
    private readonly ILogger _logger;

    /// <summary>Creates the provider from options (as registered by <c>ProtectKeysWithAwsKms</c>).</summary>
    /// <param name="options">The KMS key and how to reach it.</param>
    /// <param name="logger">The logger, if any.</param>
    /// <exception cref="OptionsValidationException">The options are invalid; the message says how to fix them.</exception>
    public AwsKmsKeyEncryptionKeyProvider(IOptions<AwsKmsOptions> options, ILogger<AwsKmsKeyEncryptionKeyProvider>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        var failures = AwsKmsOptionsValidator.Check(_options);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(nameof(AwsKmsOptions), typeof(AwsKmsOptions), failures);
        }

        _logger = (ILogger?)logger ?? NullLogger.Instance;
        CurrentKeyId = KeyEncryptionKeyIdOf(_options.Region, _options.KeyId);
        _kmsKeys[CurrentKeyId] = _options.KeyId;
        foreach (var retired in _options.RetiredKeyIds)
        {
            _kmsKeys.TryAdd(KeyEncryptionKeyIdOf(_options.Region, retired), retired);
        }

        if (_options.RetiredMasterKeys.Count > 0)
        {
            var local = new LocalMasterKeyOptions { MasterKey = _options.RetiredMasterKeys[0] };
            foreach (var key in _options.RetiredMasterKeys.Skip(1))
            {
                local.RetiredMasterKeys.Add(key);
            }

            _retiredLocal = new LocalMasterKeyProvider(Options.Create(local));
        }

        var config = new AmazonKeyManagementServiceConfig { MaxErrorRetry = _options.MaxRetries, Timeout = _options.Timeout, RetryMode = RequestRetryMode.Standard };
        if (_options.ServiceUrl is { } url)
        {
            config.ServiceURL = url.ToString();
            config.AuthenticationRegion = _options.Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(_options.Region);
        }

        _kms = _options.Credentials is { } credentials ? new AmazonKeyManagementServiceClient(credentials, config) : new AmazonKeyManagementServiceClient(config);
    }

    /// <inheritdoc />
    /// <remarks><c>aws-kms:</c> and the key ARN, or <c>aws-kms:{region}:</c> and the alias name or key id as configured: the same for every host with the same configuration.</remarks>
    public string CurrentKeyId { get; }

    /// <summary>Gets the KEK ids of every key whose data keys this provider opens (the current KMS key, retired KMS keys, retired local master keys).</summary>
    public IReadOnlyCollection<string> KeyIds => [.. _kmsKeys.Keys, .. _retiredLocal?.KeyIds ?? []];

    /// <inheritdoc />
    /// <exception cref="AwsKmsException">KMS refused or could not be reached; the message says how to fix it.</exception>
    public async ValueTask<WrappedKey> WrapKeyAsync(ReadOnlyMemory<byte> dataKey, CancellationToken cancellationToken = default)
    {
        var buffer = dataKey.ToArray();
        using var plaintext = new MemoryStream(buffer, writable: false);
        try
        {
            var response = await CallAsync("Encrypt", CurrentKeyId, () => _kms.EncryptAsync(
                new EncryptRequest { KeyId = _options.KeyId, Plaintext = plaintext, EncryptionContext = ContextOf(CurrentKeyId) },
                cancellationToken), cancellationToken).ConfigureAwait(false);
            return new WrappedKey(CurrentKeyId, response.CiphertextBlob.ToArray());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    /// <inheritdoc />
    public async ValueTask<byte[]> UnwrapKeyAsync(WrappedKey wrappedKey, CancellationToken cancellationToken = default)
    {
        var id = wrappedKey.KeyEncryptionKeyId;
        if (id is not null && !_kmsKeys.ContainsKey(id) && _retiredLocal is not null && _retiredLocal.KeyIds.Contains(id))
        {
            return await _retiredLocal.UnwrapKeyAsync(wrappedKey, cancellationToken).ConfigureAwait(false);
        }

        if (id is null || !_kmsKeys.TryGetValue(id, out var kmsKeyId))
        {
            throw new SecretDecryptionException(
                $"The key-encryption key '{id}' is not configured (configured: {string.Join(", ", KeyIds)}). After moving to another KMS key add the old one to AwsKmsOptions.RetiredKeyIds, after moving from a local master key add it to AwsKmsOptions.RetiredMasterKeys, until every secret is re-wrapped.");
        }

        try
        {
            var response = await CallAsync("Decrypt", id, () => _kms.DecryptAsync(
                new DecryptRequest { KeyId = kmsKeyId, CiphertextBlob = new MemoryStream(wrappedKey.Ciphertext.ToArray()), EncryptionContext = ContextOf(id) },
                cancellationToken), cancellationToken).ConfigureAwait(false);
            return TakeBytes(response.Plaintext);
        }
        catch (AwsKmsException ex)
        {
            throw new SecretDecryptionException(ex.Message, ex);
        }
    }

    /// <summary>
    /// Checks the current key with KMS: <c>DescribeKey</c> (enabled, symmetric, for encryption), then a data key made
    /// with <c>GenerateDataKey</c> and opened again with <c>Decrypt</c> under the IronCage encryption context, which proves
    /// the permissions sealing and opening need. Runs at start-up unless <see cref="AwsKmsOptions.ValidateKeyOnStart"/> is off.
    /// </summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>A task that completes when the key is usable.</returns>
    /// <exception cref="AwsKmsException">The key is not usable; the message says how to fix it.</exception>
    public async Task CheckKeyAsync(CancellationToken cancellationToken = default)
    {
        var described = await CallAsync("DescribeKey", CurrentKeyId, () => _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = _options.KeyId }, cancellationToken), cancellationToken).ConfigureAwait(false);
        var metadata = described.KeyMetadata;
        if (metadata.KeyState != KeyState.Enabled)
        {
            throw new AwsKmsException($"The AWS KMS key {CurrentKeyId} is {metadata.KeyState}: enable it (aws kms enable-key), cancel its deletion (aws kms cancel-key-deletion), or configure another key in AwsKmsOptions.KeyId.", "KMSInvalidStateException", described.ResponseMetadata?.RequestId, isTransient: false);
        }

        if (metadata.KeyUsage != KeyUsageType.ENCRYPT_DECRYPT || metadata.KeySpec != KeySpec.SYMMETRIC_DEFAULT)
        {
            throw new AwsKmsException($"The AWS KMS key {CurrentKeyId} is a {metadata.KeySpec} key for {metadata.KeyUsage}: IronCage needs a symmetric encryption key (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT).", "InvalidKeyUsageException", described.ResponseMetadata?.RequestId, isTransient: false);
        }

        var generated = await CallAsync("GenerateDataKey", CurrentKeyId, () => _kms.GenerateDataKeyAsync(
            new GenerateDataKeyRequest { KeyId = _options.KeyId, KeySpec = DataKeySpec.AES_256, EncryptionContext = ContextOf(CurrentKeyId) },
            cancellationToken), cancellationToken).ConfigureAwait(false);
        var expected = TakeBytes(generated.Plaintext);
        try
        {
            var opened = await CallAsync("Decrypt", CurrentKeyId, () => _kms.DecryptAsync(
                new DecryptRequest { KeyId = _options.KeyId, CiphertextBlob = generated.CiphertextBlob, EncryptionContext = ContextOf(CurrentKeyId) },
                cancellationToken), cancellationToken).ConfigureAwait(false);
            var actual = TakeBytes(opened.Plaintext);
            var same = expected.Length == DataKeySize && CryptographicOperations.FixedTimeEquals(expected, actual);
            CryptographicOperations.ZeroMemory(actual);
            if (!same)
            {
                throw new AwsKmsException($"AWS KMS at {Endpoint} answered a data key made with {CurrentKeyId} with different bytes: the endpoint is not KMS, or is broken. Check AwsKmsOptions.ServiceUrl.", null, opened.ResponseMetadata?.RequestId, isTransient: false);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(expected);
        }

        Log.KeyChecked(_logger, CurrentKeyId);
    }

    /// <summary>Disposes the KMS client and zeroes the retired local master keys.</summary>
    public void Dispose()
    {
        _kms.Dispose();
        _retiredLocal?.Dispose();
    }

    internal static string KeyEncryptionKeyIdOf(string region, string keyId)
        => AwsKmsConstants.KeyIdPrefix + (keyId.StartsWith("arn:", StringComparison.Ordinal) ? keyId : region + ":" + keyId);

    // The SDK hands plaintext back in a MemoryStream: copy it out and clear the stream's buffer where it is reachable.
    private static byte[] TakeBytes(MemoryStream stream)
    {
        var bytes = stream.ToArray();
        if (stream.TryGetBuffer(out var buffer))
        {
            CryptographicOperations.ZeroMemory(buffer.AsSpan());
        }

        stream.Dispose();
        return bytes;
    }

    private string Endpoint => _options.ServiceUrl?.ToString() ?? $"https://kms.{_options.Region}.amazonaws.com/";

    private Dictionary<string, string> ContextOf(string keyEncryptionKeyId) => new(StringComparer.Ordinal)
    {
        [AwsKmsConstants.StoreContextKey] = _options.StoreId,
        [AwsKmsConstants.KeyEncryptionKeyContextKey] = keyEncryptionKeyId,
    };

    private async Task<T> CallAsync<T>(string operation, string keyEncryptionKeyId, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or OperationCanceledException)
        {
            var mapped = Map(operation, keyEncryptionKeyId, ex);
            Log.CallFailed(_logger, operation, keyEncryptionKeyId, mapped.ErrorCode ?? "unreachable", mapped.RequestId);
            throw mapped;
        }
    }

    private AwsKmsException Map(string operation, string kek, Exception ex)
    {
        var service = ex as AmazonServiceException;
        var code = service?.ErrorCode;
        var requestId = service?.RequestId;
        var message = code switch
        {
            "DisabledException" or "KMSInvalidStateException" => $"The AWS KMS key {kek} is disabled or pending deletion, so {operation} failed: enable it (aws kms enable-key) or cancel its deletion (aws kms cancel-key-deletion). If it was retired on purpose, re-wrap the store under the new key first.",
            "NotFoundException" => $"The AWS KMS key {kek} does not exist in region {_options.Region}: check AwsKmsOptions.KeyId and Region (KMS keys and aliases are regional).",
            "AccessDeniedException" => $"AWS KMS denied kms:{operation} on {kek}: allow it for this principal in the key policy (or an IAM policy the key policy enables), with the encryption context IronCage sends ({AwsKmsConstants.StoreContextKey}, {AwsKmsConstants.KeyEncryptionKeyContextKey}) if the policy has kms:EncryptionContext conditions.",
            "InvalidCiphertextException" => $"A data key does not open with AWS KMS key {kek}: the wrapped key was altered or copied from elsewhere, or it was wrapped with another encryption context (AwsKmsOptions.StoreId is '{_options.StoreId}'; it must be the one that sealed the store). Restore the row from backup.",
            "IncorrectKeyException" => $"A data key recorded as wrapped by {kek} was wrapped by another KMS key (an alias re-pointed?): point the alias back, or configure the key that wrapped it by ARN in AwsKmsOptions.RetiredKeyIds.",
            "InvalidKeyUsageException" => $"The AWS KMS key {kek} cannot {operation}: IronCage needs a symmetric encryption key (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT).",
            "UnrecognizedClientException" or "InvalidSignatureException" or "IncompleteSignatureException" or "MissingAuthenticationTokenException" or "ExpiredTokenException" => $"AWS KMS rejected the credentials ({code}): check AwsKmsOptions.Credentials or the default chain (AWS_ACCESS_KEY_ID/AWS_PROFILE/instance role), and the clock.",
            "KeyUnavailableException" or "DependencyTimeoutException" or "KMSInternalException" or "ThrottlingException" or "LimitExceededException" => $"AWS KMS could not {operation} with {kek} right now ({code}) after {_options.MaxRetries} retries: retry later; raise MaxRetries or your KMS request quota if it persists.",
            null when ex is AmazonClientException && ex.InnerException is null && ex.Message.Contains("credentials", StringComparison.OrdinalIgnoreCase) => "No AWS credentials were found for KMS: set AwsKmsOptions.Credentials, or provide them through the default chain (environment, AWS_PROFILE, container or instance role).",
            null => $"AWS KMS at {Endpoint} could not be reached for {operation} with {kek} ({ex.GetType().Name}) after {_options.MaxRetries} retries: check the network, AwsKmsOptions.Region and ServiceUrl (a VPC endpoint must be reachable).",
            _ => $"AWS KMS {operation} with {kek} failed ({code}, HTTP {(int)service!.StatusCode}).",
        };
        var transient = code is "KeyUnavailableException" or "DependencyTimeoutException" or "KMSInternalException" or "ThrottlingException" or "LimitExceededException"
            || (code is null && !message.StartsWith("No AWS credentials", StringComparison.Ordinal))
            || (service is not null && service.StatusCode >= HttpStatusCode.InternalServerError);
        return new AwsKmsException(message, code, requestId, transient, ex);
    }
}
