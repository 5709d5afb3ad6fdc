namespace IronCage;

/// <summary>Emits the usage instruments when usage is flushed, so the recording hot path pays nothing for them.</summary>
internal static class UsageTelemetry
{
    public static void Emit(ProviderId provider, long requests, long inputTokens, long outputTokens, decimal? cost)
    {
        var providerTag = new KeyValuePair<string, object?>(IronCageTelemetry.ProviderTag, provider.ToString());
        if (requests != 0 && IronCageTelemetry.UsageRequestCount.Enabled)
        {
            IronCageTelemetry.UsageRequestCount.Add(requests, providerTag);
        }

        if (IronCageTelemetry.UsageTokenCount.Enabled)
        {
            if (inputTokens != 0)
            {
                IronCageTelemetry.UsageTokenCount.Add(inputTokens, providerTag, new(IronCageTelemetry.DirectionTag, IronCageTelemetry.InputDirection));
            }

            if (outputTokens != 0)
            {
                IronCageTelemetry.UsageTokenCount.Add(outputTokens, providerTag, new(IronCageTelemetry.DirectionTag, IronCageTelemetry.OutputDirection));
            }
        }

        if (cost is { } known && known != 0 && IronCageTelemetry.UsageCostAmount.Enabled)
        {
            IronCageTelemetry.UsageCostAmount.Add((double)known, providerTag);
        }
    }
}
