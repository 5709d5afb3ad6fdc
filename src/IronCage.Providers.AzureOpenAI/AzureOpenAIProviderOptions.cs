using Azure.Core;

namespace IronCage.Providers.AzureOpenAI;

/// <summary>
/// One Azure OpenAI connection: the Microsoft Entra credential that may list and regenerate the account's keys, and
/// defaults for the account a managed key's <see cref="ManagedKey.Scope"/> does not name itself.
/// </summary>
public sealed class AzureOpenAIProviderOptions
{
    /// <summary>
    /// Gets or sets the credential the adapter asks for Azure Resource Manager tokens. Its identity needs
    /// <c>Microsoft.CognitiveServices/accounts/listKeys/action</c> and <c>Microsoft.CognitiveServices/accounts/regenerateKey/action</c>
    /// on the account.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: a <c>DefaultAzureCredential</c> (environment, workload identity, managed identity, Azure CLI, …).</value>
    public TokenCredential? Credential { get; set; }

    /// <summary>Gets or sets the Azure Resource Manager endpoint (another cloud's, or a test server's).</summary>
    /// <value>The default value is <c>https://management.azure.com/</c>.</value>
    public Uri ManagementEndpoint { get; set; } = AzureOpenAIConstants.DefaultManagementEndpoint;

    /// <summary>Gets or sets the token scope; <see langword="null"/> derives it from <see cref="ManagementEndpoint"/> (<c>https://management.azure.com/.default</c>).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? TokenScope { get; set; }

    /// <summary>Gets or sets the Microsoft.CognitiveServices api-version.</summary>
    /// <value>The default value is <c>2026-03-01</c> (<see cref="AzureOpenAIConstants.DefaultApiVersion"/>).</value>
    public string ApiVersion { get; set; } = AzureOpenAIConstants.DefaultApiVersion;

    /// <summary>Gets or sets the subscription id used when a managed key's scope has no <c>subscription_id</c> entry.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? SubscriptionId { get; set; }

    /// <summary>Gets or sets the resource group used when a managed key's scope has no <c>resource_group</c> entry.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ResourceGroup { get; set; }

    /// <summary>Gets or sets the account name used when a managed key's scope has no <c>account_name</c> entry.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? AccountName { get; set; }

    /// <summary>Gets or sets the data-plane endpoint used to verify keys when a managed key's scope has no <c>endpoint</c> entry.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Uri? Endpoint { get; set; }

    /// <summary>Gets or sets the longest time one attempt of a call may take (each retry gets its own).</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan RequestTimeout { get; set; } = AzureOpenAIConstants.DefaultRequestTimeout;

    /// <summary>Gets or sets how many times a transient failure (429, 5xx, network) is retried.</summary>
    /// <value>The default value is 3.</value>
    public int MaxRetries { get; set; } = AzureOpenAIConstants.DefaultMaxRetries;

    /// <summary>Gets or sets the first back-off delay when Azure does not send <c>Retry-After</c>.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan RetryDelay { get; set; } = AzureOpenAIConstants.DefaultRetryDelay;

    /// <summary>
    /// Gets or sets how long calls of the connection fail fast (without being sent) after at least half of at least five
    /// calls within 30 seconds failed transiently (5xx, timeout, network).
    /// </summary>
    /// <value>The default value is 30 seconds (<see cref="AzureOpenAIConstants.DefaultCircuitBreakDuration"/>).</value>
    public TimeSpan CircuitBreakDuration { get; set; } = AzureOpenAIConstants.DefaultCircuitBreakDuration;

    /// <summary>Gets or sets the first wait between polls of a regeneration answered with 202.</summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan PollInterval { get; set; } = AzureOpenAIConstants.DefaultPollInterval;

    /// <summary>Gets or sets the longest wait between polls.</summary>
    /// <value>The default value is 15 seconds.</value>
    public TimeSpan MaxPollInterval { get; set; } = AzureOpenAIConstants.DefaultMaxPollInterval;

    /// <summary>Gets or sets how long an asynchronous regeneration may take before the call fails as transient.</summary>
    /// <value>The default value is 2 minutes.</value>
    public TimeSpan OperationTimeout { get; set; } = AzureOpenAIConstants.DefaultOperationTimeout;

    internal IronCage.Internal.ProviderPollSettings Polling => new(PollInterval, MaxPollInterval, OperationTimeout);

    internal IronCage.Internal.ProviderResilienceSettings Resilience => new(RequestTimeout, MaxRetries, RetryDelay, CircuitBreakDuration);
}
