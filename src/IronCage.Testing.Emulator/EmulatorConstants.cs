namespace IronCage.Testing.Emulator;

/// <summary>The fixed answers of the emulator's inference endpoints, so usage tracking tests can assert exact numbers.</summary>
public static class EmulatorConstants
{
    /// <summary>The <c>usage.prompt_tokens</c> of every OpenAI-style chat completion (and <c>usage.input_tokens</c> of every Anthropic message).</summary>
    public const int InputTokens = 11;

    /// <summary>The <c>usage.completion_tokens</c> of every OpenAI-style chat completion (and <c>usage.output_tokens</c> of every Anthropic message).</summary>
    public const int OutputTokens = 7;

    /// <summary>The <c>usage.total_tokens</c> of every OpenAI-style chat completion.</summary>
    public const int TotalTokens = InputTokens + OutputTokens;

    /// <summary>The reply text of every chat completion and message.</summary>
    public const string ReplyText = "Hello from the IronCage emulator.";

    /// <summary>What one OpenRouter chat completion adds to the key's usage, in USD.</summary>
    public const decimal OpenRouterCostPerCompletion = 0.0001m;

    /// <summary>The OpenAI project that exists from the start (keys can be seeded and minted in it).</summary>
    public const string OpenAIProjectId = "proj_emulator";

    /// <summary>The organization the OpenAI emulator names in its <c>openai-organization</c> response header, as OpenAI does on every answer.</summary>
    public const string OpenAIOrganizationId = "org-IronCageEmulator000001";

    /// <summary>The Anthropic workspace seeded keys belong to unless another is given.</summary>
    public const string AnthropicWorkspaceId = "wrkspc_emulator";
}
