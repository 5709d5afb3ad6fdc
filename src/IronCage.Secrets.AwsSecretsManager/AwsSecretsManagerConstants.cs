namespace IronCage.Secrets.AwsSecretsManager;

/// <summary>Names and defaults of the AWS Secrets Manager source and target.</summary>
public static class AwsSecretsManagerConstants
{
    /// <summary>The staging label of the version consumers read by default.</summary>
    public const string CurrentStage = "AWSCURRENT";

    /// <summary>The staging label the service moves to the version that was current before.</summary>
    public const string PreviousStage = "AWSPREVIOUS";

    /// <summary>The SigV4 signing name of the service.</summary>
    public const string SigningService = "secretsmanager";

    /// <summary>The name of the <see cref="System.Net.Http.HttpClient"/> the DI registrations use.</summary>
    public const string HttpClientName = "IronCage.Secrets.AwsSecretsManager";
}
