using Amazon.Runtime;

namespace IronCage.Providers.AwsBedrock;

/// <summary>
/// One source of Amazon Bedrock short-term API keys: the AWS credentials IronCage signs them with, the region they
/// are for, and how long each lives. No AWS call is made to generate a key; the credentials need
/// <c>bedrock:CallWithBearerToken</c> and the Bedrock permissions the key is used for.
/// </summary>
public sealed class AwsBedrockShortTermOptions
{
    /// <summary>
    /// Gets or sets the AWS credentials keys are signed with (for example assumed-role or session credentials); when
    /// they are temporary, a key never outlives them.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the AWS SDK's default credential chain (environment, shared profile, container, instance metadata).</value>
    public AWSCredentials? Credentials { get; set; }

    /// <summary>Gets or sets the AWS region the keys are for (the credential scope of the signature); a managed key's <c>region</c> scope entry overrides it.</summary>
    /// <value>The default value is <see langword="null"/>; a region is required.</value>
    public string? Region { get; set; }

    /// <summary>
    /// Gets or sets how long each key lives, between <see cref="AwsBedrockConstants.MinShortTermLifetime"/> and
    /// <see cref="AwsBedrockConstants.MaxShortTermLifetime"/>. A policy's shorter <see cref="RotationPolicy.KeyLifetime"/>
    /// and the credentials' own expiry shorten it further.
    /// </summary>
    /// <value>The default value is 12 hours.</value>
    public TimeSpan Lifetime { get; set; } = AwsBedrockConstants.MaxShortTermLifetime;
}
