using IronCage.Usage.Pricing;
using Microsoft.Extensions.Logging;

namespace IronCage.Usage;

/// <summary>
/// IronCage.Usage's log messages. Event ids 300–399: the ids these messages had when usage tracking lived in
/// IronCage.Core, kept so that log filters and alerts written against them still match. Key ids only, never values.
/// </summary>
internal static partial class Log
{
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

    [LoggerMessage(EventId = 311, Level = LogLevel.Warning, Message = "A call through {Key} cost {Actual}, more than the {Reserved} its budget reserved: the provider counted input the request's estimate did not hold (images by URL, file ids, server-side tools). Set IronCageRequestOptions.CostEstimate on such requests so the budget holds.")]
    public static partial void BudgetOvershot(ILogger logger, KeyReference key, decimal reserved, decimal actual);

    [LoggerMessage(EventId = 312, Level = LogLevel.Warning, Message = "A budget reservation could not be released after a refused or cancelled call ({ErrorType}); it holds its amount until its window ends.")]
    public static partial void BudgetReleaseFailed(ILogger logger, string errorType);
}
