namespace IronCage.Encryption.AwsKms;

/// <summary>Defaults and fixed names of the AWS KMS key-encryption key provider.</summary>
public static class AwsKmsConstants
{
    /// <summary>The prefix of the KEK ids of KMS keys: <c>aws-kms:</c> followed by the key ARN, or by the region and the alias name or key id.</summary>
    public const string KeyIdPrefix = "aws-kms:";

    /// <summary>The default store id bound into every encryption context.</summary>
    public const string DefaultStoreId = "ironcage";

    /// <summary>The encryption context member that names the IronCage store.</summary>
    public const string StoreContextKey = "ironcage:store";

    /// <summary>The encryption context member that names the KEK id the data key was wrapped under.</summary>
    public const string KeyEncryptionKeyContextKey = "ironcage:kek";

    /// <summary>The default number of retries of a throttled or failed KMS call (the AWS SDK's own retry, not IronCage's).</summary>
    public const int DefaultMaxRetries = 2;

    /// <summary>The default timeout of one KMS call.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
}
