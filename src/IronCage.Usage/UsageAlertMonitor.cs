using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace IronCage.Usage;

/// <summary>
/// Evaluates the live counters against limits, thresholds, error rates and spend rates, and sends each alert once per
/// cause and window to the <see cref="IUsageAlertSink"/>s (or to the log when there is none).
/// </summary>
internal sealed class UsageAlertMonitor
{
    private readonly UsageRecorder _recorder;
    private readonly IUsageAlertSink[] _sinks;
    private readonly UsageTrackingOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly Dictionary<(KeyReference Key, string Cause), Instant> _raised = [];

    public UsageAlertMonitor(UsageRecorder recorder, IEnumerable<IUsageAlertSink> sinks, IOptions<UsageTrackingOptions> options, ILogger<UsageAlertMonitor> logger)
    {
        _recorder = recorder;
        // The notification bridge is always registered; with no notification sink behind it, alerts go to the log.
        _sinks = [.. sinks.Where(s => s is not UsageAlertNotificationBridge { HasSinks: false })];
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Raises the alerts due at <paramref name="now"/> and delivers them.</summary>
    /// <returns>The alerts raised.</returns>
    public async Task<IReadOnlyList<UsageAlert>> EvaluateAsync(Instant now, CancellationToken cancellationToken = default)
    {
        List<UsageAlert> alerts;
        lock (_gate)
        {
            alerts = [];
            foreach (var live in _recorder.LiveKeys)
            {
                Evaluate(live, now, alerts);
            }
        }

        foreach (var alert in alerts)
        {
            await DeliverAsync(alert, cancellationToken).ConfigureAwait(false);
        }

        return alerts;
    }

    private void Evaluate(LiveKey live, Instant now, List<UsageAlert> alerts)
    {
        var limits = live.Limits?.Limits ?? UsageLimits.None;
        var thresholds = limits.AlertThresholds.Order().ToArray();
        for (var i = 0; i < limits.Limits.Count; i++)
        {
            var limit = limits.Limits[i];
            var (start, end) = UsageWindows.Bounds(limit.Window, now);
            var used = live.Usage(limit.Window, start, end).ValueOf(limit.Metric);
            var fraction = (double)(used / limit.Limit);

            // One alert for the highest threshold newly crossed; the lower ones count as raised with it.
            var crossed = thresholds.Where(t => fraction >= (double)t && !Raised(live.Key, $"limit{i}:{t}", start)).ToArray();
            foreach (var t in crossed)
            {
                MarkRaised(live.Key, $"limit{i}:{t}", start);
            }

            if (crossed.Length > 0)
            {
                alerts.Add(Alert(live.Key, UsageAlertKind.ThresholdReached, now, limit.Window, start, end, used, limit, (double)crossed[^1]));
            }

            if (limit.Enforcement == LimitEnforcement.Hard && used >= limit.Limit && TryRaise(live.Key, $"reached{i}", start))
            {
                alerts.Add(Alert(live.Key, UsageAlertKind.LimitReached, now, limit.Window, start, end, used, limit, fraction));
            }

            if (limit.Metric == UsageMetric.Cost && used < limit.Limit)
            {
                var elapsed = (now - start).TotalTicks / (end - start).TotalTicks;
                if (elapsed >= _options.ProjectionMinimumElapsed && elapsed > 0)
                {
                    var projected = Math.Round(used / (decimal)elapsed, 6);
                    if (projected > limit.Limit && TryRaise(live.Key, $"projected{i}", start))
                    {
                        alerts.Add(Alert(live.Key, UsageAlertKind.ProjectedOverLimit, now, limit.Window, start, end, projected, limit, null));
                    }
                }
            }
        }

        // The current minute and the one before: a spike at the end of a minute is still seen after it closes.
        var (minuteStart, minuteEnd) = UsageWindows.Bounds(UsageWindow.Minute, now);
        foreach (var (from, to) in new[] { (minuteStart - Duration.FromMinutes(1), minuteStart), (minuteStart, minuteEnd) })
        {
            var minute = live.Usage(UsageWindow.Minute, from, to);
            if (minute.Requests > 0 && minute.Requests >= _options.ErrorSpikeMinimumRequests)
            {
                var rate = (double)minute.Errors / minute.Requests;
                if (rate >= _options.ErrorSpikeThreshold && TryRaise(live.Key, "errors", from))
                {
                    alerts.Add(Alert(live.Key, UsageAlertKind.ErrorSpike, now, UsageWindow.Minute, from, to, (decimal)rate, null, rate));
                }
            }
        }

        if (_options.SpendVelocityPerHour is { } perHour)
        {
            var (hourStart, hourEnd) = UsageWindows.Bounds(UsageWindow.Hour, now);
            var cost = live.Usage(UsageWindow.Hour, hourStart, hourEnd).Cost;
            if (cost > perHour && TryRaise(live.Key, "velocity", hourStart))
            {
                alerts.Add(Alert(live.Key, UsageAlertKind.SpendVelocity, now, UsageWindow.Hour, hourStart, hourEnd, cost, null, null));
            }
        }
    }

    private static UsageAlert Alert(KeyReference key, UsageAlertKind kind, Instant now, UsageWindow window, Instant start, Instant end, decimal value, UsageLimit? limit, double? threshold) => new()
    {
        Key = key,
        Kind = kind,
        OccurredAt = now,
        Window = window,
        WindowStart = start,
        WindowEnd = end,
        Value = value,
        Limit = limit,
        Threshold = threshold,
    };

    private bool Raised(KeyReference key, string cause, Instant windowStart)
        => _raised.TryGetValue((key, cause), out var raised) && raised >= windowStart;

    private void MarkRaised(KeyReference key, string cause, Instant windowStart) => _raised[(key, cause)] = windowStart;

    private bool TryRaise(KeyReference key, string cause, Instant windowStart)
    {
        if (Raised(key, cause, windowStart))
        {
            return false;
        }

        MarkRaised(key, cause, windowStart);
        return true;
    }

    private async Task DeliverAsync(UsageAlert alert, CancellationToken cancellationToken)
    {
        if (_sinks.Length == 0)
        {
            Log.UsageAlertRaised(_logger, alert.Kind, alert.Key, alert.Describe());
            return;
        }

        foreach (var sink in _sinks)
        {
            try
            {
                await sink.SendAsync(alert, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.UsageAlertSinkFailed(_logger, sink.GetType().Name, alert.Kind, alert.Key, ex);
            }
        }
    }
}
