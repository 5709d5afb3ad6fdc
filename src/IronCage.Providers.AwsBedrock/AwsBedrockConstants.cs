namespace IronCage.Providers.AwsBedrock;

/// <summary>The AWS Bedrock adapter's defaults and well-known names.</summary>
public static class AwsBedrockConstants
{
    /// <summary>The name of the <see cref="HttpClient"/> the adapter sends IAM calls with; configure it with <c>AddHttpClient(AwsBedrockConstants.HttpClientName)</c>.</summary>
    public const string HttpClientName = "IronCage.AwsBedrock";

    /// <summary>The IAM Query API version.</summary>
    public const string IamApiVersion = "2010-05-08";

    /// <summary>The service IAM issues Bedrock API keys for.</summary>
    public const string BedrockServiceName = "bedrock.amazonaws.com";

    /// <summary>The SigV4 signing name of IAM.</summary>
    public const string IamSigningService = "iam";

    /// <summary>The region IAM requests are signed for (IAM is global; its endpoint signs in us-east-1).</summary>
    public const string DefaultSigningRegion = "us-east-1";

    /// <summary>The Bedrock region keys are verified in when the managed key's scope names none.</summary>
    public const string DefaultBedrockRegion = "us-east-1";

    /// <summary>The <see cref="ManagedKey.Scope"/> entry holding the IAM user the Bedrock API keys belong to.</summary>
    public const string UserNameScopeKey = "user_name";

    /// <summary>The <see cref="ManagedKey.Scope"/> entry holding the Bedrock region keys are verified in.</summary>
    public const string RegionScopeKey = "region";

    /// <summary>How many credentials for one service IAM allows per user.</summary>
    public const int MaxCredentialsPerUser = 2;

    /// <summary>The fewest days a credential may live (<c>CredentialAgeDays</c>).</summary>
    public const int MinCredentialAgeDays = 1;

    /// <summary>The most days a credential may live (<c>CredentialAgeDays</c>).</summary>
    public const int MaxCredentialAgeDays = 36600;

    /// <summary>Gets the IAM endpoint used by default: <c>https://iam.amazonaws.com/</c>.</summary>
    public static Uri DefaultBaseAddress { get; } = new("https://iam.amazonaws.com/");

    /// <summary>The prefix of every Amazon Bedrock short-term API key.</summary>
    public const string ShortTermKeyPrefix = "bedrock-api-key-";

    /// <summary>The host a short-term key's pre-signed URL is signed for.</summary>
    public const string ShortTermSignedHost = "bedrock.amazonaws.com";

    /// <summary>The SigV4 signing name of a short-term key (the credential scope <c>…/{region}/bedrock/aws4_request</c>).</summary>
    public const string ShortTermSigningService = "bedrock";

    /// <summary>The action a short-term key's pre-signed URL names.</summary>
    public const string ShortTermAction = "CallWithBearerToken";

    /// <summary>The token version appended to the pre-signed URL before it is encoded.</summary>
    public const string ShortTermTokenVersion = "1";

    /// <summary>Gets the longest a short-term key may live (<c>X-Amz-Expires</c> of 43200 seconds): 12 hours.</summary>
    public static TimeSpan MaxShortTermLifetime { get; } = TimeSpan.FromHours(12);

    /// <summary>Gets the shortest lifetime a short-term connection may be configured with: 1 minute.</summary>
    public static TimeSpan MinShortTermLifetime { get; } = TimeSpan.FromMinutes(1);
}
