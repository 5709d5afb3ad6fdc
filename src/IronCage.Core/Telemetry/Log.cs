using Microsoft.Extensions.Logging;

namespace IronCage;

/// <summary>IronCage.Core's log messages (event ids 1–999). Key ids and hints only, never values.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Verified {Provider} key {KeyHint}: valid ({StatusCode}) in {ElapsedMs} ms.")]
    public static partial void KeyVerified(ILogger logger, ProviderId provider, string keyHint, int? statusCode, long elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Verification of {Provider} key {KeyHint} failed: {ErrorKind} ({StatusCode}, code {ProviderErrorCode}, request {RequestId}).")]
    public static partial void KeyVerificationFailed(ILogger logger, ProviderId provider, string keyHint, ProviderErrorKind? errorKind, int? statusCode, string? providerErrorCode, string? requestId);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Verification of {Provider} key {KeyHint} could not reach the provider: {Reason}.")]
    public static partial void KeyVerificationUnreachable(ILogger logger, ProviderId provider, string keyHint, string reason);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "IronCage is using the in-memory key store: managed keys and their versions are lost when the process stops. Register a durable IKeyStore (PersistKeysToSqlite, from IronCage.Storage.Sqlite) for real use.")]
    public static partial void InMemoryKeyStoreInUse(ILogger logger);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "IronCage is using the in-memory audit log: the audit trail is lost when the process stops.")]
    public static partial void InMemoryAuditLogInUse(ILogger logger);

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "The usage store is unreachable ({ErrorType}): {Records} pre-aggregated usage records are kept and retried at the next flush.")]
    public static partial void UsageStoreUnavailable(ILogger logger, int records, string errorType);

    [LoggerMessage(EventId = 301, Level = LogLevel.Error, Message = "Usage records dropped: the usage store stayed unreachable past UsageTrackingOptions.MaxPendingRecords ({MaxPendingRecords}); {Dropped} records of the oldest minutes ({Requests} requests) were dropped, {TotalDropped} in all since start.")]
    public static partial void UsageRecordsDropped(ILogger logger, int dropped, long requests, int maxPendingRecords, long totalDropped);

    [LoggerMessage(EventId = 302, Level = LogLevel.Warning, Message = "Model '{Model}' of {Provider} has no price in price catalog {CatalogVersion}; policy {Policy}: its usage is recorded without a cost. Add its price to UsageTrackingOptions.Prices, or set a fallback rate.")]
    public static partial void UnpricedModel(ILogger logger, ProviderId provider, string model, string catalogVersion, UnpricedModelPolicy policy);

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "Refreshing usage tracking from the {Source} failed ({ErrorType}); the previous values stay in use.")]
    public static partial void UsageRefreshFailed(ILogger logger, string source, string errorType);

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "Usage alert sink {Sink} failed to deliver {Kind} for {Key}.")]
    public static partial void UsageAlertSinkFailed(ILogger logger, string sink, UsageAlertKind kind, KeyReference key, Exception exception);

    [LoggerMessage(EventId = 305, Level = LogLevel.Warning, Message = "Usage alert {Kind} for {Key}: {Description}")]
    public static partial void UsageAlertRaised(ILogger logger, UsageAlertKind kind, KeyReference key, string description);

    [LoggerMessage(EventId = 306, Level = LogLevel.Warning, Message = "Reading the usage limits of {Key} failed ({ErrorType}); the key is not gated until they load.")]
    public static partial void UsageLimitsLoadFailed(ILogger logger, KeyReference key, string errorType);

    [LoggerMessage(EventId = 307, Level = LogLevel.Debug, Message = "Flushed {Records} pre-aggregated usage records to the usage store.")]
    public static partial void UsageFlushed(ILogger logger, int records);

    [LoggerMessage(EventId = 308, Level = LogLevel.Error, Message = "The final usage flush failed ({ErrorType}); usage recorded since the last flush is lost.")]
    public static partial void UsageFinalFlushFailed(ILogger logger, string errorType);

    [LoggerMessage(EventId = 309, Level = LogLevel.Warning, Message = "Usage tracking cycle failed ({ErrorType}); it runs again at the next interval.")]
    public static partial void UsageCycleFailed(ILogger logger, string errorType);

    [LoggerMessage(EventId = 310, Level = LogLevel.Warning, Message = "Budget for {Key} refused a call of model '{Model}': {Detail}")]
    public static partial void BudgetDenied(ILogger logger, KeyReference key, string model, string detail);
}
