namespace IronCage.Usage;

/// <summary>The worst case of one call, for a budget reservation: the prompt's estimated tokens and the output cap.</summary>
/// <param name="Model">The model the call names; its price decides the amount.</param>
/// <param name="InputTokens">Estimated prompt tokens.</param>
/// <param name="MaxOutputTokens">The call's output cap (<c>max_tokens</c> or equivalent).</param>
public readonly record struct CostEstimate(string? Model, long InputTokens, long MaxOutputTokens);
