using Microsoft.Extensions.Logging;

namespace IronCage.Encryption.AwsKms;

/// <summary>IronCage.Encryption.AwsKms's log messages (event ids 7500–7519). KEK ids and KMS error codes only, never key material.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7500, Level = LogLevel.Information, Message = "AWS KMS key {KeyEncryptionKeyId} checked: enabled, symmetric, encrypts and decrypts with the IronCage encryption context.")]
    public static partial void KeyChecked(ILogger logger, string keyEncryptionKeyId);

    [LoggerMessage(EventId = 7501, Level = LogLevel.Warning, Message = "AWS KMS {Operation} with {KeyEncryptionKeyId} failed: {ErrorCode} (request {RequestId}).")]
    public static partial void CallFailed(ILogger logger, string operation, string keyEncryptionKeyId, string errorCode, string? requestId);
}
