namespace IronCage.Providers.AzureOpenAI;

/// <summary>The Azure OpenAI adapter's defaults and well-known names.</summary>
public static class AzureOpenAIConstants
{
    /// <summary>The name of the <see cref="HttpClient"/> the adapter sends Azure Resource Manager calls with; configure it with <c>AddHttpClient(AzureOpenAIConstants.HttpClientName)</c>.</summary>
    public const string HttpClientName = "IronCage.AzureOpenAI";

    /// <summary>The Azure Resource Manager api-version used by default: the latest stable version of Microsoft.CognitiveServices, <c>2026-03-01</c>.</summary>
    public const string DefaultApiVersion = "2026-03-01";

    /// <summary>The <see cref="ManagedKey.Scope"/> entry holding the Azure subscription id of the account.</summary>
    public const string SubscriptionIdScopeKey = "subscription_id";

    /// <summary>The <see cref="ManagedKey.Scope"/> entry holding the resource group of the account.</summary>
    public const string ResourceGroupScopeKey = "resource_group";

    /// <summary>The <see cref="ManagedKey.Scope"/> entry holding the Cognitive Services (Azure OpenAI) account name.</summary>
    public const string AccountNameScopeKey = "account_name";

    /// <summary>
    /// The <see cref="ManagedKey.Scope"/> entry holding the account's data-plane endpoint (for example
    /// <c>https://my-resource.openai.azure.com</c>), where keys are verified.
    /// </summary>
    public const string EndpointScopeKey = "endpoint";

    /// <summary>The first key slot.</summary>
    public const string Key1 = "Key1";

    /// <summary>The second key slot.</summary>
    public const string Key2 = "Key2";

    /// <summary>Gets the Azure Resource Manager endpoint used by default: <c>https://management.azure.com/</c>.</summary>
    public static Uri DefaultBaseAddress { get; } = new("https://management.azure.com/");

    /// <summary>Gets the default first wait between polls of an asynchronous regeneration: 1 second.</summary>
    public static TimeSpan DefaultPollInterval { get; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the default longest wait between polls: 15 seconds.</summary>
    public static TimeSpan DefaultMaxPollInterval { get; } = TimeSpan.FromSeconds(15);

    /// <summary>Gets the default deadline of an asynchronous regeneration: 2 minutes.</summary>
    public static TimeSpan DefaultOperationTimeout { get; } = TimeSpan.FromMinutes(2);
}
