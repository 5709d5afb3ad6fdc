using Microsoft.Extensions.Logging;

namespace IronCage.Providers.AwsBedrock;

/// <summary>IronCage.Providers.AwsBedrock's log messages (event ids 4300–4399). Credential ids, users and hints only, never secrets.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4300, Level = LogLevel.Information, Message = "Created Bedrock API key {CredentialId} ({Alias}) for IAM user {UserName} for {Key}; value {DisplayHint}; expires {ExpiresAt}.")]
    public static partial void CredentialCreated(ILogger logger, string credentialId, string? alias, string userName, KeyReference key, string displayHint, DateTimeOffset? expiresAt);

    [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "Deleted the {Status} Bedrock API key {CredentialId} of IAM user {UserName} to stay within IAM's two credentials per user.")]
    public static partial void LeftoverDeleted(ILogger logger, string credentialId, string status, string userName);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Information, Message = "Deactivated Bedrock API key {CredentialId} of IAM user {UserName}.")]
    public static partial void CredentialDeactivated(ILogger logger, string credentialId, string userName);

    [LoggerMessage(EventId = 4303, Level = LogLevel.Information, Message = "Deleted Bedrock API key {CredentialId} of IAM user {UserName}.")]
    public static partial void CredentialDeleted(ILogger logger, string credentialId, string userName);

    [LoggerMessage(EventId = 4304, Level = LogLevel.Information, Message = "Generated Bedrock short-term API key {KeyId} for {Key} in {Region}; value {DisplayHint}; expires {ExpiresAt}; nothing can revoke it before then.")]
    public static partial void ShortTermKeyGenerated(ILogger logger, string keyId, KeyReference key, string region, string displayHint, NodaTime.Instant expiresAt);

    [LoggerMessage(EventId = 4305, Level = LogLevel.Warning, Message = "The AWS credentials of Bedrock short-term key source {Source} could not be obtained ({ErrorType}); no key was generated for {Key}.")]
    public static partial void CredentialsUnavailable(ILogger logger, string source, KeyReference key, string errorType);
}
