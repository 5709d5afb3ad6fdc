namespace IronCage.Providers.OpenRouter;

/// <summary>The OpenRouter adapter's defaults, scope keys and fixed names.</summary>
public static class OpenRouterConstants
{
    /// <summary>The optional <see cref="ManagedKey.Scope"/> entry with the workspace (a UUID) keys are created and listed in (<c>workspace_id</c>).</summary>
    public const string WorkspaceIdScopeKey = "workspace_id";

    /// <summary>The optional <see cref="ManagedKey.Scope"/> entry with the organization member a new key is created for (<c>creator_user_id</c>).</summary>
    public const string CreatorUserIdScopeKey = "creator_user_id";

    /// <summary>The name of the <see cref="IHttpClientFactory"/> client the adapter uses; configure it to add a proxy or handlers.</summary>
    public const string HttpClientName = "IronCage.Providers.OpenRouter";

    /// <summary>The metadata entry of a created or listed key with its spend limit (USD), when it has one.</summary>
    public const string LimitMetadataKey = "limit";

    /// <summary>The metadata entry of a created or listed key with its limit reset (<c>daily</c>, <c>weekly</c>, <c>monthly</c>), when it has one.</summary>
    public const string LimitResetMetadataKey = "limit_reset";

    /// <summary>Gets OpenRouter's API base address, <c>https://openrouter.ai/api/v1/</c>.</summary>
    public static Uri DefaultBaseAddress { get; } = new("https://openrouter.ai/api/v1/");
}
