namespace IronCage.Providers.OpenAI;

/// <summary>The OpenAI adapter's defaults, scope keys and fixed names.</summary>
public static class OpenAIConstants
{
    /// <summary>
    /// The <see cref="ManagedKey.Scope"/> entry with the OpenAI project id (<c>proj_…</c>) of a project key: keys are
    /// minted, listed and deleted in that project. Required for <see cref="KeyKind.Inference"/> keys.
    /// </summary>
    public const string ProjectIdScopeKey = "project_id";

    /// <summary>
    /// The optional <see cref="ManagedKey.Scope"/> entry with a service account id (<c>svc_acct_…</c>): when set, new
    /// keys are minted as additional keys of that service account (<c>POST …/service_accounts/{id}/api_keys</c>)
    /// instead of one new service account per key. Such keys cannot be revoked one by one by API.
    /// </summary>
    public const string ServiceAccountIdScopeKey = "service_account_id";

    /// <summary>The optional <see cref="ManagedKey.Scope"/> entry with the comma-separated <c>scopes</c> given to a service-account key (for example <c>api.responses.write</c>).</summary>
    public const string KeyScopesScopeKey = "key_scopes";

    /// <summary>The metadata entry of a created or listed key that holds the service account owning it.</summary>
    public const string ServiceAccountIdMetadataKey = "service_account_id";

    /// <summary>The name of the <see cref="IHttpClientFactory"/> client the adapter uses; configure it to add a proxy or handlers.</summary>
    public const string HttpClientName = "IronCage.Providers.OpenAI";

    /// <summary>The longest expiry OpenAI accepts for an admin key: 31,536,000 seconds (365 days).</summary>
    public const long MaxAdminKeyExpirySeconds = 31_536_000;

    /// <summary>The page size of list calls (OpenAI allows 1 to 100).</summary>
    public const int PageSize = 100;

    /// <summary>Gets OpenAI's API base address, <c>https://api.openai.com/v1/</c>.</summary>
    public static Uri DefaultBaseAddress { get; } = new("https://api.openai.com/v1/");
}
