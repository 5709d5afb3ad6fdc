namespace IronCage.Usage;

/// <summary>How the cost of recorded usage was found.</summary>
public enum UsageCostStatus
{
    /// <summary>Priced from the price catalog entry of the model in effect at the time of the call.</summary>
    Priced = 0,

    /// <summary>The model has no known price; the configured fallback rate was used.</summary>
    FallbackRate = 1,

    /// <summary>The model has no known price and no fallback rate applies: the cost is unknown, never assumed to be zero.</summary>
    Unpriced = 2,
}
