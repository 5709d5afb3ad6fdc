namespace IronCage.Providers.Anthropic;

/// <summary>The Anthropic adapter's defaults, scope keys and fixed names.</summary>
public static class AnthropicConstants
{
    /// <summary>The optional <see cref="ManagedKey.Scope"/> entry with the workspace (<c>wrkspc_…</c>) whose keys are listed (the <c>workspace_id</c> filter).</summary>
    public const string WorkspaceIdScopeKey = "workspace_id";

    /// <summary>The optional <see cref="ManagedKey.Scope"/> entry with the user whose keys are listed (the <c>created_by_user_id</c> filter).</summary>
    public const string CreatedByUserIdScopeKey = "created_by_user_id";

    /// <summary>The <c>anthropic-version</c> header every call sends.</summary>
    public const string ApiVersion = "2023-06-01";

    /// <summary>The name of the <see cref="IHttpClientFactory"/> client the adapter uses; configure it to add a proxy or handlers.</summary>
    public const string HttpClientName = "IronCage.Providers.Anthropic";

    /// <summary>The page size of list calls (Anthropic allows 1 to 1000).</summary>
    public const int PageSize = 100;

    /// <summary>Gets Anthropic's API base address, <c>https://api.anthropic.com/</c>.</summary>
    public static Uri DefaultBaseAddress { get; } = new("https://api.anthropic.com/");
}
