using Microsoft.Extensions.Logging;

namespace IronCage.AspNetCore;

/// <summary>IronCage.AspNetCore's log messages (event ids 7000–7099). Key references and hints only, never values.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7000, Level = LogLevel.Warning, Message = "IronCage admin: {Operation} refused for {Actor} from {IpAddress} ({Status}): {Reason}")]
    public static partial void AccessDenied(ILogger logger, string operation, string actor, string? ipAddress, int status, string reason);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "IronCage admin: {Operation} on {Target} failed with {ErrorType}; answered as Problem Details.")]
    public static partial void OperationRefused(ILogger logger, string operation, string target, string errorType);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Error, Message = "IronCage admin: {Operation} on {Target} failed unexpectedly; answered 500.")]
    public static partial void OperationFailed(ILogger logger, string operation, string target, Exception exception);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "IronCage admin API mapped at {Prefix} with no authorization policy for any permission: only loopback requests are answered. Register policies named after AdminPermissions to open it to others.")]
    public static partial void LoopbackOnly(ILogger logger, string prefix);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "IronCage admin API mapped at {Prefix} with policies for some permissions but none for {Missing} (and no 'admin' policy): those operations are refused for every caller. Register a policy for each, or an 'admin' policy.")]
    public static partial void PoliciesMissing(ILogger logger, string prefix, string missing);
}
