using Microsoft.Extensions.Options;

using IronCage.Usage.Pricing;

namespace IronCage.Usage;

/// <summary>Validates <see cref="UsageTrackingOptions"/> at start.</summary>
internal sealed class UsageTrackingOptionsValidator : IValidateOptions<UsageTrackingOptions>
{
    public ValidateOptionsResult Validate(string? name, UsageTrackingOptions options)
    {
        var failures = new List<string>();
        if (options.FlushInterval <= TimeSpan.Zero)
        {
            failures.Add($"UsageTrackingOptions.FlushInterval is {options.FlushInterval}; it must be more than zero (default 250 milliseconds).");
        }

        if (options.RefreshInterval <= TimeSpan.Zero)
        {
            failures.Add($"UsageTrackingOptions.RefreshInterval is {options.RefreshInterval}; it must be more than zero (default 30 seconds).");
        }

        if (options.MaxPendingRecords < 1)
        {
            failures.Add($"UsageTrackingOptions.MaxPendingRecords is {options.MaxPendingRecords}; it must be at least 1 (default 100,000).");
        }

        if (!Enum.IsDefined(options.UnpricedModelPolicy))
        {
            failures.Add($"UsageTrackingOptions.UnpricedModelPolicy {options.UnpricedModelPolicy} is unknown; use Block, UseFallbackRate or RecordUnpriced.");
        }

        if (options.UnpricedModelPolicy == UnpricedModelPolicy.UseFallbackRate
            && (options.FallbackInputPerMillion is not >= 0 || options.FallbackOutputPerMillion is not >= 0))
        {
            failures.Add("UnpricedModelPolicy.UseFallbackRate needs UsageTrackingOptions.FallbackInputPerMillion and FallbackOutputPerMillion, both zero or more.");
        }

        if (options.FallbackInputPerMillion > UsageTrackingConstants.MaxPricePerMillion || options.FallbackOutputPerMillion > UsageTrackingConstants.MaxPricePerMillion)
        {
            failures.Add($"UsageTrackingOptions.FallbackInputPerMillion and FallbackOutputPerMillion may be at most {UsageTrackingConstants.MaxPricePerMillion} per million tokens.");
        }

        if (options.ErrorSpikeThreshold is <= 0 or > 1 || double.IsNaN(options.ErrorSpikeThreshold))
        {
            failures.Add($"UsageTrackingOptions.ErrorSpikeThreshold is {options.ErrorSpikeThreshold}; use a fraction above 0 and at most 1 (default 0.5).");
        }

        if (options.ErrorSpikeMinimumRequests < 1)
        {
            failures.Add($"UsageTrackingOptions.ErrorSpikeMinimumRequests is {options.ErrorSpikeMinimumRequests}; it must be at least 1 (default 20).");
        }

        if (options.SpendVelocityPerHour is <= 0)
        {
            failures.Add($"UsageTrackingOptions.SpendVelocityPerHour is {options.SpendVelocityPerHour}; it must be more than zero, or null to turn the check off.");
        }

        if (options.ProjectionMinimumElapsed is <= 0 or > 1 || double.IsNaN(options.ProjectionMinimumElapsed))
        {
            failures.Add($"UsageTrackingOptions.ProjectionMinimumElapsed is {options.ProjectionMinimumElapsed}; use a fraction above 0 and at most 1 (default 0.1).");
        }

        foreach (var duplicate in options.Prices.Where(p => p is not null)
            .GroupBy(p => (p.Provider, Model: p.Model?.ToUpperInvariant(), p.EffectiveFrom))
            .Where(g => g.Count() > 1))
        {
            failures.Add($"UsageTrackingOptions.Prices holds {duplicate.Count()} prices of {duplicate.Key.Provider} model '{duplicate.First().Model}' from {duplicate.Key.EffectiveFrom}; keep one, or give each its own EffectiveFrom.");
        }

        if (options.Prices.Any(p => p is null))
        {
            failures.Add("UsageTrackingOptions.Prices holds a null entry.");
            return ValidateOptionsResult.Fail(failures);
        }

        try
        {
            _ = UsageTrackingServiceCollection.CreateCatalog(options);
        }
        catch (ArgumentException ex)
        {
            failures.Add(ex.Message);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
