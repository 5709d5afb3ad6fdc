using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

using IronCage.Usage.Pricing;

namespace IronCage.Usage;

/// <summary>How one model is priced at one instant: the catalog entry, the fallback rate, or unpriced.</summary>
internal readonly record struct PriceResolution
{
    // Per-token prices: dividing a decimal by a power of ten only moves its scale, so these are exact.
    private readonly decimal _inputPerToken;
    private readonly decimal _outputPerToken;

    public PriceResolution(UsageCostStatus status, decimal inputPerMillion, decimal outputPerMillion)
    {
        Status = status;
        _inputPerToken = inputPerMillion / 1_000_000m;
        _outputPerToken = outputPerMillion / 1_000_000m;
    }

    public UsageCostStatus Status { get; }

    public decimal CostOf(long inputTokens, long outputTokens)
        => Status == UsageCostStatus.Unpriced ? 0m : (inputTokens * _inputPerToken) + (outputTokens * _outputPerToken);
}

/// <summary>Applies the price catalog and the unpriced-model policy; warns once per unpriced model.</summary>
internal sealed class UsagePricing
{
    private readonly ConcurrentDictionary<(ProviderId Provider, string Model), byte> _warned = new();
    private readonly ILogger _logger;

    public UsagePricing(IPriceCatalog catalog, IOptions<UsageTrackingOptions> options, ILogger<UsagePricing> logger)
    {
        Catalog = catalog;
        Options = options.Value;
        _logger = logger;
    }

    public IPriceCatalog Catalog { get; }

    public UsageTrackingOptions Options { get; }

    public PriceResolution Resolve(ProviderId provider, string? model, Instant at)
    {
        if (Catalog.TryGetPrice(provider, model, at, out var price))
        {
            return new PriceResolution(UsageCostStatus.Priced, price.InputPerMillion, price.OutputPerMillion);
        }

        if (Options.UnpricedModelPolicy == UnpricedModelPolicy.UseFallbackRate)
        {
            return new PriceResolution(UsageCostStatus.FallbackRate, Options.FallbackInputPerMillion ?? 0m, Options.FallbackOutputPerMillion ?? 0m);
        }

        if (_warned.TryAdd((provider, model ?? string.Empty), 0))
        {
            Log.UnpricedModel(_logger, provider, model ?? "(none)", Catalog.Version, Options.UnpricedModelPolicy);
        }

        return new PriceResolution(UsageCostStatus.Unpriced, 0m, 0m);
    }
}
