using IronCage.Telemetry;

namespace IronCage.Usage;

/// <summary>Emits the usage instruments when usage is flushed, so the recording hot path pays nothing for them.</summary>
internal static class UsageTelemetry
{
    private static readonly System.Diagnostics.Metrics.Counter<long> UsageTokenCount = IronCageTelemetry.Meter.CreateCounter<long>(
        IronCageTelemetry.UsageTokens, unit: "{token}", description: "Tokens recorded by usage tracking, by provider and direction (emitted when usage is flushed).");

    private static readonly System.Diagnostics.Metrics.Counter<double> UsageCostAmount = IronCageTelemetry.Meter.CreateCounter<double>(
        IronCageTelemetry.UsageCost, unit: "{currency}", description: "Known cost of recorded usage, in the price catalog's currency (emitted when usage is flushed).");

    private static readonly System.Diagnostics.Metrics.Counter<long> UsageRequestCount = IronCageTelemetry.Meter.CreateCounter<long>(
        IronCageTelemetry.UsageRequests, unit: "{request}", description: "Calls recorded by usage tracking, by provider (emitted when usage is flushed).");

    public static void Emit(ProviderId provider, long requests, long inputTokens, long outputTokens, decimal? cost)
    {
        var providerTag = new KeyValuePair<string, object?>(IronCageTelemetry.ProviderTag, provider.ToString());
        if (requests != 0 && UsageRequestCount.Enabled)
        {
            UsageRequestCount.Add(requests, providerTag);
        }

        if (UsageTokenCount.Enabled)
        {
            if (inputTokens != 0)
            {
                UsageTokenCount.Add(inputTokens, providerTag, new(IronCageTelemetry.DirectionTag, IronCageTelemetry.InputDirection));
            }

            if (outputTokens != 0)
            {
                UsageTokenCount.Add(outputTokens, providerTag, new(IronCageTelemetry.DirectionTag, IronCageTelemetry.OutputDirection));
            }
        }

        if (cost is { } known && known != 0 && UsageCostAmount.Enabled)
        {
            UsageCostAmount.Add((double)known, providerTag);
        }
    }
}
