namespace IronCage.Providers.XAI;

/// <summary>The xAI adapter's defaults and fixed names.</summary>
public static class XAIConstants
{
    /// <summary>The name of the <see cref="IHttpClientFactory"/> client the adapter uses; configure it to add a proxy or handlers.</summary>
    public const string HttpClientName = "IronCage.Providers.XAI";

    /// <summary>The ACL that lets a key call every model the team has (<c>api-key:model:*</c>).</summary>
    public const string AllModelsAcl = "api-key:model:*";

    /// <summary>The ACL that lets a key call every endpoint (<c>api-key:endpoint:*</c>).</summary>
    public const string AllEndpointsAcl = "api-key:endpoint:*";

    /// <summary>The metadata entry of a listed key with its ACLs, comma-separated.</summary>
    public const string AclsMetadataKey = "acls";

    /// <summary>The page size the adapter lists keys with.</summary>
    public const int ListPageSize = 100;

    /// <summary>Gets xAI's Management API base address, <c>https://management-api.x.ai/</c>.</summary>
    public static Uri DefaultManagementAddress { get; } = new("https://management-api.x.ai/");

    /// <summary>Gets xAI's inference API base address, <c>https://api.x.ai/</c>, where keys are verified.</summary>
    public static Uri DefaultInferenceAddress { get; } = new("https://api.x.ai/");
}
