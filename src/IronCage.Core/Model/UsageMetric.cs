namespace IronCage;

/// <summary>What a usage limit counts.</summary>
public enum UsageMetric
{
    /// <summary>Requests.</summary>
    Requests = 0,

    /// <summary>Input and output tokens together.</summary>
    Tokens = 1,

    /// <summary>Input (prompt) tokens.</summary>
    InputTokens = 2,

    /// <summary>Output (completion) tokens.</summary>
    OutputTokens = 3,

    /// <summary>Cost, in the price catalog's currency (USD).</summary>
    Cost = 4,
}
