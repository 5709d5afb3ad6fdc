namespace IronCage.Providers.Mistral;

/// <summary>The Mistral adapter's defaults, scope keys and fixed names.</summary>
public static class MistralConstants
{
    /// <summary>The optional <see cref="ManagedKey.Scope"/> entry with the workspace (a UUID) new keys are created in (<c>workspace_uuid</c>).</summary>
    public const string WorkspaceIdScopeKey = "workspace_uuid";

    /// <summary>The optional <see cref="ManagedKey.Scope"/> entry with the organization member a new key is created for (<c>user_id</c>).</summary>
    public const string UserIdScopeKey = "user_id";

    /// <summary>The name of the <see cref="IHttpClientFactory"/> client the adapter uses; configure it to add a proxy or handlers.</summary>
    public const string HttpClientName = "IronCage.Providers.Mistral";

    /// <summary>The header the beta Admin API reads the admin key from (<c>x-api-key</c>), as Mistral's Admin API guide gives it.</summary>
    public const string AdminKeyHeader = "x-api-key";

    /// <summary>The metadata entry of a listed key with its workspace id, when the answer has one.</summary>
    public const string WorkspaceIdMetadataKey = "workspace_id";

    /// <summary>Gets the default address of the beta Admin API (<c>https://console.mistral.ai/api/admin/</c>).</summary>
    public static Uri DefaultBaseAddress { get; } = new("https://console.mistral.ai/api/admin/");

    /// <summary>Gets the default address of the inference API keys are verified against (<c>https://api.mistral.ai/v1/</c>).</summary>
    public static Uri DefaultInferenceAddress { get; } = new("https://api.mistral.ai/v1/");
}
