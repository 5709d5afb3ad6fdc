using Amazon.Runtime;

namespace IronCage.Encryption.AwsKms;

/// <summary>The AWS KMS key that wraps IronCage's data keys, and how to reach it.</summary>
public sealed class AwsKmsOptions
{
    /// <summary>Gets or sets the KMS key new data keys are wrapped with: a key ARN, key id, alias name (<c>alias/ironcage</c>) or alias ARN. A symmetric encryption key (<c>SYMMETRIC_DEFAULT</c>, <c>ENCRYPT_DECRYPT</c>).</summary>
    public string KeyId { get; set; } = string.Empty;

    /// <summary>Gets or sets the key's region (<c>us-east-1</c>).</summary>
    public string Region { get; set; } = string.Empty;

    /// <summary>Gets or sets the endpoint, or <see langword="null"/> for <c>https://kms.{Region}.amazonaws.com/</c> (set it for a VPC endpoint or an emulator).</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>Gets or sets the credentials, or <see langword="null"/> for AWS's default chain (environment, profile, container or instance role).</summary>
    public AWSCredentials? Credentials { get; set; }

    /// <summary>
    /// Gets or sets the store id bound into the encryption context of every wrapped data key (<c>ironcage:store</c>), so
    /// a data key wrapped for one IronCage store does not open for another that shares the KMS key. Changing it makes
    /// existing data keys unopenable.
    /// </summary>
    /// <value>The default value is <c>ironcage</c>.</value>
    public string StoreId { get; set; } = AwsKmsConstants.DefaultStoreId;

    /// <summary>Gets earlier KMS keys (same forms as <see cref="KeyId"/>, same region) whose data keys still open until they are re-wrapped under <see cref="KeyId"/>.</summary>
    public IList<string> RetiredKeyIds { get; } = [];

    /// <summary>Gets earlier local master keys (base64 of 32 bytes) whose data keys still open, for moving a store from <c>ProtectKeysWithMasterKey</c> to KMS by re-wrapping.</summary>
    public IList<string> RetiredMasterKeys { get; } = [];

    /// <summary>Gets or sets how many times the AWS SDK retries a throttled or failed call. Disabled keys, denied access and invalid ciphertexts are never retried.</summary>
    /// <value>The default value is 2.</value>
    public int MaxRetries { get; set; } = AwsKmsConstants.DefaultMaxRetries;

    /// <summary>Gets or sets the timeout of one KMS call.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan Timeout { get; set; } = AwsKmsConstants.DefaultTimeout;

    /// <summary>Gets or sets a value indicating whether start-up checks the key with KMS (<c>DescribeKey</c>, then a <c>GenerateDataKey</c>/<c>Decrypt</c> round trip), so a wrong key, region or policy stops the host at once.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool ValidateKeyOnStart { get; set; } = true;
}
