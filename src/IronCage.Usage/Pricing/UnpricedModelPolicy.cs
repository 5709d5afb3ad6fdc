namespace IronCage.Usage.Pricing;

/// <summary>What happens to calls of a model the price catalog has no price for. Such a call is never silently priced at zero.</summary>
public enum UnpricedModelPolicy
{
    /// <summary>
    /// The budget guard refuses calls of the model through keys with a hard cost limit (the denial names the model and how
    /// to add its price); recorded usage of the model is stored as <see cref="UsageCostStatus.Unpriced"/>.
    /// </summary>
    Block = 0,

    /// <summary>The configured fallback rate prices the calls; usage is stored as <see cref="UsageCostStatus.FallbackRate"/>.</summary>
    UseFallbackRate = 1,

    /// <summary>
    /// Calls go ahead and their usage is stored as <see cref="UsageCostStatus.Unpriced"/> (cost unknown, counted in reports);
    /// a warning is logged once per model. Cost budgets cannot hold such calls back.
    /// </summary>
    RecordUnpriced = 2,
}
