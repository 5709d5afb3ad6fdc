using Amazon.Runtime;
using IronCage.Providers.Http;

namespace IronCage.Providers.AwsBedrock;

/// <summary>
/// One AWS connection: the AWS credentials that may manage IAM service-specific credentials for Bedrock, and the IAM
/// user a managed key's <see cref="ManagedKey.Scope"/> does not name itself. Credentials are, in this order,
/// <see cref="Credentials"/>, <see cref="AccessKeyId"/> with <see cref="SecretAccessKey"/> (and <see cref="SessionToken"/>),
/// then the AWS SDK's default chain (environment, shared profile, container, instance metadata).
/// </summary>
public sealed class AwsBedrockProviderOptions : ProviderHttpOptions
{
    /// <summary>Initializes the options with IAM's API as <see cref="ProviderHttpOptions.BaseAddress"/> (<see cref="AwsBedrockConstants.DefaultBaseAddress"/>).</summary>
    public AwsBedrockProviderOptions()
        : base(AwsBedrockConstants.DefaultBaseAddress)
    {
    }

    /// <summary>Gets or sets ready AWS credentials (for example assumed-role credentials).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public AWSCredentials? Credentials { get; set; }

    /// <summary>Gets or sets an access key id, used with <see cref="SecretAccessKey"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? AccessKeyId { get; set; }

    /// <summary>Gets or sets the secret access key of <see cref="AccessKeyId"/>.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? SecretAccessKey { get; set; }

    /// <summary>Gets or sets the session token of temporary credentials.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? SessionToken { get; set; }

    /// <summary>Gets or sets the IAM user used when a managed key's scope has no <c>user_name</c> entry.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? UserName { get; set; }

    /// <summary>Gets or sets the Bedrock region keys are verified in when a managed key's scope has no <c>region</c> entry.</summary>
    /// <value>The default value is <c>us-east-1</c>.</value>
    public string BedrockRegion { get; set; } = AwsBedrockConstants.DefaultBedrockRegion;

    /// <summary>Gets or sets the region IAM requests are signed for (<c>cn-north-1</c> and <c>us-gov-west-1</c> in those partitions).</summary>
    /// <value>The default value is <c>us-east-1</c>.</value>
    public string SigningRegion { get; set; } = AwsBedrockConstants.DefaultSigningRegion;

    /// <summary>
    /// Gets or sets how many days a new key lives (<c>CredentialAgeDays</c>, 1–36600) when the rotation policy sets no
    /// key lifetime; <see langword="null"/> creates keys that never expire.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? CredentialAgeDays { get; set; }
}
