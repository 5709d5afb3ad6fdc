using Amazon.Runtime;

namespace IronCage.Secrets.AwsSecretsManager;

/// <summary>How the Secrets Manager source and target reach the service: region, credentials and endpoint.</summary>
public abstract class AwsSecretsManagerOptions
{
    /// <summary>Gets or sets the region the secrets live in (<c>us-east-1</c>).</summary>
    public string Region { get; set; } = string.Empty;

    /// <summary>Gets or sets the credentials, or <see langword="null"/> for AWS's default chain (environment, profile, container or instance role).</summary>
    public AWSCredentials? Credentials { get; set; }

    /// <summary>Gets or sets the endpoint, or <see langword="null"/> for <c>https://secretsmanager.{Region}.amazonaws.com/</c> (set it for a VPC endpoint or an emulator).</summary>
    public Uri? ServiceUrl { get; set; }

    internal Uri Endpoint => ServiceUrl ?? new Uri($"https://secretsmanager.{Region}.amazonaws.com/");
}
